//! Placeholder: the scenario module (being written).
