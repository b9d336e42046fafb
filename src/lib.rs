//! cpsearch
