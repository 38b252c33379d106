//! Errors of building and booting the board: bad files and configurations
//! from the user, never guest behaviour.

use std::path::PathBuf;

/// An error of the board.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// An image does not fit where it has to go.
    #[error("{0}")]
    Layout(String),
    /// The configuration is impossible.
    #[error("{0}")]
    Config(String),
    /// From rivet-core (RAM, ELF loading).
    #[error(transparent)]
    Core(#[from] rivet_core::Error),
    /// The device tree could not be built.
    #[error("device tree: {0}")]
    Fdt(String),
}

/// The `Result` of rivet-devices.
pub type Result<T, E = Error> = std::result::Result<T, E>;
