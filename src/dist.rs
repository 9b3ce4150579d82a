//! Placeholder: the dist module (being written).
