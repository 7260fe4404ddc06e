#![doc = include_str!("../docs/guidance.md")]
