//! Placeholder: the stats module (being written).
