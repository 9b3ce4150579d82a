//! The integration test binary: one module per area.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod aid_links;
mod analysis_book;
mod backtest;
mod base_stock;
mod budget;
mod cli;
mod compound;
mod configs;
mod default_scenario;
mod determinism;
mod dist;
mod fuzz_regressions;
mod groups;
mod hostile;
mod layers;
mod library;
mod limits;
mod locales;
mod messages;
mod mm1;
mod model;
mod model_sharing;
mod periods;
mod plots;
mod precision;
mod props;
mod sensitivity;
mod shortage;
mod sides;
mod signals;
mod stats;
mod sweep;
mod templates;
mod workbook;
