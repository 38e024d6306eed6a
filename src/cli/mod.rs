//! The families of the `hocso` command, one module each. Binary side: they read arguments,
//! call the library's use cases and print; what they do lives in the library.

pub mod backup;
pub mod courses;
pub mod dev;
pub mod imports;
pub mod privacy;
pub mod reports;
pub mod server;
pub mod users;
