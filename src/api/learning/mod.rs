//! Enrolment, lesson progress (single and offline batches), course progress, programs, one file
//! per resource. Each handler extracts, calls one use case of [`crate::learning`] and maps its
//! answer.

mod enrolment;
mod programs;
mod progress;

pub use enrolment::*;
pub use programs::*;
pub use progress::*;
