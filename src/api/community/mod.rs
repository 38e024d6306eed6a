//! The community's HTTP doors, one file per resource: localities and their census figures,
//! households, community digital teams, a learner's own profile and village link, and the
//! facilitator's work for the residents of their villages (every action audited). Each handler
//! extracts, calls one use case of [`crate::community`] and maps its answer.

mod census;
mod help;
mod households;
mod imports;
mod localities;
mod profiles;
mod residents;
mod teams;

pub use census::*;
pub use help::*;
pub use households::*;
pub use imports::*;
pub use localities::*;
pub use profiles::*;
pub use residents::*;
pub use teams::*;
