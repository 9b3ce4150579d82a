//! Placeholder: the model module (being written).
