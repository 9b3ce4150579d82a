//! Placeholder: the engine module (being written).
