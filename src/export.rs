//! Placeholder: the export module (being written).
