//! Quizzes: attempts for learners, their history, statistics and quiz authoring for course
//! authors, one file per resource. Each handler extracts, calls one use case of [`crate::quiz`]
//! or [`crate::courses::quizzes`] and maps its answer.

mod attempts;
mod authoring;
mod history;
mod stats;

pub use attempts::*;
pub use authoring::*;
pub use history::*;
pub use stats::*;

use crate::quiz::attempts::Ctx;
use crate::state::AppState;

/// What the attempt use cases need of the state: the clock and the catalogue.
fn cx(state: &AppState) -> Ctx<'_> {
    Ctx {
        clock: &state.clock,
        catalogue: &state.catalogue,
    }
}
