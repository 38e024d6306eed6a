//! hocso: a self-paced learning platform for Vietnam's *Bình dân học vụ số* movement.

pub mod access;
pub mod accounts;
pub mod api;
pub mod auth;
pub mod certs;
pub mod clock;
pub mod community;
pub mod config;
pub mod content;
pub mod courses;
pub mod db;
pub mod error;
pub mod i18n;
pub mod imports;
pub mod kinds;
pub mod learning;
pub mod mail;
pub mod quiz;
pub mod ratelimit;
pub mod reports;
pub mod seed;
pub mod startup;
pub mod state;
pub mod telemetry;
pub mod text;
pub mod web;
