//! hocso: a self-paced learning platform for Vietnam's *Bình dân học vụ số* movement.

pub mod api;
pub mod config;
pub mod db;
pub mod error;
pub mod i18n;
pub mod startup;
pub mod telemetry;
