//! The `drawdown` command-line program (placeholder).
fn main() {}
