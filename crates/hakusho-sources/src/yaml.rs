//! YAML files of sources/: the shared reader ([`hakusho_yaml`]) with the project's default
//! size limit.

use std::path::Path;

use hakusho_diagnostics::Diagnostics;
pub use hakusho_yaml::*;
use serde::de::DeserializeOwned;

use crate::guard::Limits;

/// Reads and deserializes `real` (reported as `display`) with the default size limit
/// ([`Limits::max_yaml_mb`]); see [`read_limited`].
pub fn read<T: DeserializeOwned>(
    real: &Path,
    display: &Path,
    diags: &mut Diagnostics,
) -> Option<(T, Source)> {
    read_limited(real, display, Limits::default().max_yaml_mb, diags)
}
