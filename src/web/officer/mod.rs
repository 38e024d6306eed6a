//! The pages of commune and province officers (admins of a locality subtree): the indicator
//! dashboard (`dashboard`), and census figures, targets, the locality tree and teams (`setup`).

mod charts;
mod dashboard;
mod setup;

use actix_web::web;

pub fn configure(cfg: &mut web::ServiceConfig) {
    dashboard::configure(cfg);
    setup::configure(cfg);
}
