//! Placeholder: the runner module (being written).
