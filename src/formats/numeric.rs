//! Numeric element types as numcodecs configurations name them (`<i2`, `>f8`, `int16`,
//! `float32`), and the element-wise work its filters need when reading: undoing Delta, and
//! casting between types (AsType, Quantize).

/// A kind of number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// Signed integer.
    Int,
    /// Unsigned integer.
    Uint,
    /// IEEE floating point (4 or 8 bytes).
    Float,
}

/// A numeric element type and the byte order its elements are stored in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Numeric {
    /// Its kind.
    pub kind: Kind,
    /// Its size in bytes (1, 2, 4 or 8; floats 4 or 8).
    pub size: u64,
    /// Whether elements are stored big-endian.
    pub big_endian: bool,
}

/// One element's value, wide enough for every supported type.
#[derive(Clone, Copy)]
enum Value {
    Int(i128),
    Float(f64),
}

impl Numeric {
    /// Reads a NumPy type string (`<i2`, `|u1`, `>f8`) or a Zarr v3 name (`int16`, `float32`).
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        let (big_endian, rest) = match text.as_bytes().first() {
            Some(b'>') => (true, &text[1..]),
            Some(b'<' | b'|' | b'=') => (false, &text[1..]),
            _ => (false, text),
        };
        let (kind, size) = if let Some(bits) = rest.strip_prefix("uint") {
            (Kind::Uint, bits.parse::<u64>().ok()? / 8)
        } else if let Some(bits) = rest.strip_prefix("int") {
            (Kind::Int, bits.parse::<u64>().ok()? / 8)
        } else if let Some(bits) = rest.strip_prefix("float") {
            (Kind::Float, bits.parse::<u64>().ok()? / 8)
        } else {
            let kind = match rest.chars().next()? {
                'i' => Kind::Int,
                'u' => Kind::Uint,
                'f' => Kind::Float,
                _ => return None,
            };
            (kind, rest[1..].parse().ok()?)
        };
        let supported = match kind {
            Kind::Float => matches!(size, 4 | 8),
            Kind::Int | Kind::Uint => matches!(size, 1 | 2 | 4 | 8),
        };
        supported.then_some(Self {
            kind,
            size,
            big_endian,
        })
    }

    fn elements(self, data: &[u8]) -> Result<std::slice::ChunksExact<'_, u8>, String> {
        if !(data.len() as u64).is_multiple_of(self.size) {
            return Err(format!(
                "{} bytes are not a whole number of {}-byte elements",
                data.len(),
                self.size
            ));
        }
        Ok(data.chunks_exact(self.size as usize))
    }

    fn read(self, bytes: &[u8]) -> Value {
        let mut word = [0u8; 8];
        let n = bytes.len();
        if self.big_endian {
            word[..n].copy_from_slice(bytes);
            word[..n].reverse();
        } else {
            word[..n].copy_from_slice(bytes);
        }
        let raw = u64::from_le_bytes(word);
        match (self.kind, n) {
            (Kind::Float, 4) => Value::Float(f64::from(f32::from_bits(raw as u32))),
            (Kind::Float, _) => Value::Float(f64::from_bits(raw)),
            (Kind::Uint, _) => Value::Int(i128::from(raw)),
            (Kind::Int, _) => {
                let shift = 64 - 8 * n as u32;
                Value::Int(i128::from(((raw << shift) as i64) >> shift))
            }
        }
    }

    fn write(self, value: Value, out: &mut Vec<u8>) {
        let n = self.size as usize;
        let raw: u64 = match (self.kind, value) {
            (Kind::Float, v) => {
                let f = match v {
                    Value::Float(f) => f,
                    Value::Int(i) => i as f64,
                };
                if n == 4 {
                    u64::from((f as f32).to_bits())
                } else {
                    f.to_bits()
                }
            }
            // As NumPy casts: floats truncate toward zero, integers wrap.
            (_, Value::Float(f)) => (f as i64) as u64,
            (_, Value::Int(i)) => i as u64,
        };
        let bytes = raw.to_le_bytes();
        if self.big_endian {
            out.extend(bytes[..n].iter().rev());
        } else {
            out.extend_from_slice(&bytes[..n]);
        }
    }

    /// The elements of `data` as indices: integers as they are, negative ones and floats as
    /// `u64::MAX` (no index).
    ///
    /// # Errors
    /// When `data` is not a whole number of elements.
    pub fn indices(self, data: &[u8]) -> Result<Vec<u64>, String> {
        Ok(self
            .elements(data)?
            .map(|bytes| match self.read(bytes) {
                Value::Int(i) => u64::try_from(i).unwrap_or(u64::MAX),
                Value::Float(_) => u64::MAX,
            })
            .collect())
    }

    /// Undoes numcodecs Delta: each element becomes the running sum, in this type's arithmetic
    /// (integers wrap; floats add in their own precision, as NumPy's `cumsum`).
    ///
    /// # Errors
    /// When `data` is not a whole number of elements.
    pub fn undo_delta(self, data: &[u8]) -> Result<Vec<u8>, String> {
        let mut out = Vec::with_capacity(data.len());
        let bits = 8 * self.size as u32;
        let (mut int, mut f32_sum, mut f64_sum) = (0u64, 0f32, 0f64);
        for element in self.elements(data)? {
            let value = match self.read(element) {
                Value::Int(i) => {
                    int = int.wrapping_add(i as u64);
                    let masked = if bits == 64 {
                        int
                    } else {
                        int & ((1u64 << bits) - 1)
                    };
                    Value::Int(i128::from(masked))
                }
                Value::Float(f) if self.size == 4 => {
                    f32_sum += f as f32;
                    Value::Float(f64::from(f32_sum))
                }
                Value::Float(f) => {
                    f64_sum += f;
                    Value::Float(f64_sum)
                }
            };
            self.write(value, &mut out);
        }
        Ok(out)
    }

    /// The elements of `data` (of this type) as `f64`, through `f`, cast to `to`.
    ///
    /// # Errors
    /// When `data` is not a whole number of elements.
    pub fn map(self, data: &[u8], to: &Self, f: impl Fn(f64) -> f64) -> Result<Vec<u8>, String> {
        let mut out = Vec::with_capacity(data.len() / self.size.max(1) as usize * to.size as usize);
        for element in self.elements(data)? {
            let value = match self.read(element) {
                Value::Int(i) => i as f64,
                Value::Float(x) => x,
            };
            to.write(Value::Float(f(value)), &mut out);
        }
        Ok(out)
    }

    /// The elements of `data` (of this type) cast to `to`, as NumPy's `astype` does.
    ///
    /// # Errors
    /// When `data` is not a whole number of elements.
    pub fn cast(self, data: &[u8], to: &Self) -> Result<Vec<u8>, String> {
        let count = data.len() as u64 / self.size.max(1);
        let mut out = Vec::with_capacity((count * to.size) as usize);
        for element in self.elements(data)? {
            to.write(self.read(element), &mut out);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn le(values: &[i16]) -> Vec<u8> {
        values.iter().flat_map(|v| v.to_le_bytes()).collect()
    }

    #[test]
    fn parses_numpy_and_zarr3_names() {
        let i2 = Numeric::parse("<i2").expect("i2");
        assert_eq!((i2.kind, i2.size, i2.big_endian), (Kind::Int, 2, false));
        assert_eq!(Numeric::parse("int16"), Some(i2));
        assert!(Numeric::parse(">f8").expect("f8").big_endian);
        assert_eq!(Numeric::parse("float32").map(|n| n.size), Some(4));
        assert_eq!(Numeric::parse("<f2"), None);
        assert_eq!(Numeric::parse("|b1"), None);
    }

    #[test]
    fn delta_is_undone_with_wrapping() {
        let i2 = Numeric::parse("<i2").expect("i2");
        // 5, 7, 4, then 32767 + 1 wraps to -32768.
        let encoded = le(&[5, 2, -3, 32763, 1]);
        assert_eq!(
            i2.undo_delta(&encoded).expect("decodes"),
            le(&[5, 7, 4, 32767, -32768])
        );
        assert!(i2.undo_delta(&[1, 2, 3]).is_err());
    }

    #[test]
    fn casts_as_numpy_does() {
        let (f4, f8, i4) = (
            Numeric::parse("<f4").expect("f4"),
            Numeric::parse("<f8").expect("f8"),
            Numeric::parse(">i4").expect("i4"),
        );
        let data: Vec<u8> = [1.5f32, -2.25]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        let wide: Vec<u8> = [1.5f64, -2.25]
            .iter()
            .flat_map(|v| v.to_le_bytes())
            .collect();
        assert_eq!(f4.cast(&data, &f8).expect("casts"), wide);
        let ints: Vec<u8> = [1i32, -2].iter().flat_map(|v| v.to_be_bytes()).collect();
        assert_eq!(f4.cast(&data, &i4).expect("casts"), ints);
    }
}
