//! Shards whose index is checked before zarrs decodes them: zarrs adds an untrusted offset and
//! length and slices with the sum, which panics on entries near `u64::MAX`.

use std::borrow::Cow;
use std::num::NonZeroU64;
use std::sync::Arc;

use zarrs::array::codec::api::{
    ArrayBytesDecodeIntoTarget, ArrayCodecTraits, ArrayPartialDecoderTraits,
    ArrayPartialEncoderTraits, ArrayToBytesCodecTraits, BytesPartialDecoderTraits,
    BytesPartialEncoderTraits, Codec, CodecError, CodecMetadataOptions, CodecOptions,
    CodecRuntimePluginV3, CodecTraits, CodecTraitsV3, PartialDecoderCapability,
    PartialEncoderCapability, RecommendedConcurrency, register_codec_v3,
};
use zarrs::array::codec::{
    CodecChain, ShardingCodec, ShardingCodecConfiguration, ShardingIndexLocation,
};
use zarrs::array::{
    ArrayBytes, ArrayBytesRaw, BytesRepresentation, DataType, FillValue, data_type,
};
use zarrs::metadata::Configuration;
use zarrs::metadata::v3::MetadataV3;
use zarrs::plugin::{
    ExtensionAliases, ExtensionName, PluginCreateError, ZarrVersion, ZarrVersion3,
};

/// zarrs' sharding codec, with every index entry checked against the shard's length first.
#[derive(Debug)]
struct CheckedShards {
    inner: Arc<dyn ArrayToBytesCodecTraits>,
    inner_chunk: Vec<NonZeroU64>,
    index_codecs: CodecChain,
    index_at_end: bool,
}

impl CheckedShards {
    fn create(metadata: &MetadataV3) -> Result<Codec, PluginCreateError> {
        let Codec::ArrayToBytes(inner) = <ShardingCodec as CodecTraitsV3>::create(metadata)? else {
            return Err(PluginCreateError::Other(
                "sharding is not array-to-bytes".into(),
            ));
        };
        let ShardingCodecConfiguration::V1(configuration) = metadata.to_typed_configuration()?
        else {
            return Err(PluginCreateError::Other(
                "this sharding configuration is not supported".into(),
            ));
        };
        Ok(Codec::ArrayToBytes(Arc::new(Self {
            inner,
            inner_chunk: configuration.chunk_shape,
            index_codecs: CodecChain::from_metadata(&configuration.index_codecs)?,
            index_at_end: configuration.index_location == ShardingIndexLocation::End,
        })))
    }

    /// Checks that every entry of the shard's index lies inside `shard` (or marks an absent
    /// inner chunk).
    fn check(&self, shard: &[u8], shape: &[NonZeroU64]) -> Result<(), CodecError> {
        let mut index_shape: Vec<NonZeroU64> = shape
            .iter()
            .zip(&self.inner_chunk)
            .map(|(s, c)| NonZeroU64::new(s.get() / c.get()).unwrap_or(NonZeroU64::MIN))
            .collect();
        index_shape.push(NonZeroU64::MIN.saturating_add(1));
        let (u64s, fill) = (data_type::uint64(), FillValue::from(u64::MAX));
        let index_size = self
            .index_codecs
            .encoded_representation(&index_shape, &u64s, &fill)?
            .size()
            .and_then(|n| usize::try_from(n).ok())
            .ok_or_else(|| CodecError::Other("the shard index has no fixed size".into()))?;
        let Some(rest) = shard.len().checked_sub(index_size) else {
            return Err(CodecError::Other(format!(
                "the shard ({} bytes) is shorter than its index ({index_size} bytes)",
                shard.len()
            )));
        };
        let encoded = if self.index_at_end {
            &shard[rest..]
        } else {
            &shard[..index_size]
        };
        let decoded = self
            .index_codecs
            .decode(
                Cow::Borrowed(encoded),
                &index_shape,
                &u64s,
                &fill,
                &CodecOptions::default(),
            )?
            .into_fixed()?;
        let entries = decoded.chunks_exact(16).map(|pair| {
            let (a, b) = pair.split_at(8);
            let word = |w: &[u8]| u64::from_ne_bytes(w.try_into().unwrap_or([0; 8]));
            (word(a), word(b))
        });
        let len = shard.len() as u64;
        for (i, (offset, length)) in entries.enumerate() {
            let absent = offset == u64::MAX && length == u64::MAX;
            if !absent && offset.checked_add(length).is_none_or(|end| end > len) {
                return Err(CodecError::Other(format!(
                    "shard index entry {i} gives bytes {offset}+{length}, outside the shard's \
                     {len} bytes"
                )));
            }
        }
        Ok(())
    }
}

impl ExtensionName for CheckedShards {
    fn name(&self, version: ZarrVersion) -> Option<Cow<'static, str>> {
        self.inner.name(version)
    }
}

impl CodecTraits for CheckedShards {
    fn as_any(&self) -> &dyn std::any::Any {
        // zarrs recognises a sharded array by its codec's type.
        self.inner.as_any()
    }

    fn configuration(
        &self,
        version: ZarrVersion,
        options: &CodecMetadataOptions,
    ) -> Option<Configuration> {
        self.inner.configuration(version, options)
    }

    fn partial_decoder_capability(&self) -> PartialDecoderCapability {
        self.inner.partial_decoder_capability()
    }

    fn partial_encoder_capability(&self) -> PartialEncoderCapability {
        self.inner.partial_encoder_capability()
    }
}

impl ArrayCodecTraits for CheckedShards {
    fn recommended_concurrency(
        &self,
        shape: &[NonZeroU64],
        data_type: &DataType,
    ) -> Result<RecommendedConcurrency, CodecError> {
        self.inner.recommended_concurrency(shape, data_type)
    }

    fn partial_decode_granularity(&self, shape: &[NonZeroU64]) -> Vec<NonZeroU64> {
        self.inner.partial_decode_granularity(shape)
    }
}

impl ArrayToBytesCodecTraits for CheckedShards {
    fn into_dyn(self: Arc<Self>) -> Arc<dyn ArrayToBytesCodecTraits> {
        self
    }

    fn encoded_representation(
        &self,
        shape: &[NonZeroU64],
        data_type: &DataType,
        fill_value: &FillValue,
    ) -> Result<BytesRepresentation, CodecError> {
        self.inner
            .encoded_representation(shape, data_type, fill_value)
    }

    fn encode<'a>(
        &self,
        bytes: ArrayBytes<'a>,
        shape: &[NonZeroU64],
        data_type: &DataType,
        fill_value: &FillValue,
        options: &CodecOptions,
    ) -> Result<ArrayBytesRaw<'a>, CodecError> {
        self.inner
            .encode(bytes, shape, data_type, fill_value, options)
    }

    fn decode<'a>(
        &self,
        bytes: ArrayBytesRaw<'a>,
        shape: &[NonZeroU64],
        data_type: &DataType,
        fill_value: &FillValue,
        options: &CodecOptions,
    ) -> Result<ArrayBytes<'a>, CodecError> {
        self.check(&bytes, shape)?;
        self.inner
            .decode(bytes, shape, data_type, fill_value, options)
    }

    fn decode_into(
        &self,
        bytes: ArrayBytesRaw<'_>,
        shape: &[NonZeroU64],
        data_type: &DataType,
        fill_value: &FillValue,
        output_target: ArrayBytesDecodeIntoTarget<'_>,
        options: &CodecOptions,
    ) -> Result<(), CodecError> {
        self.check(&bytes, shape)?;
        self.inner
            .decode_into(bytes, shape, data_type, fill_value, output_target, options)
    }

    fn partial_decoder(
        self: Arc<Self>,
        input_handle: Arc<dyn BytesPartialDecoderTraits>,
        shape: &[NonZeroU64],
        data_type: &DataType,
        fill_value: &FillValue,
        options: &CodecOptions,
    ) -> Result<Arc<dyn ArrayPartialDecoderTraits>, CodecError> {
        // Parts of a shard are read by byte range, each checked by the store (see
        // `CheckedFilesystemStore`) or refused by the object store.
        Arc::clone(&self.inner).partial_decoder(input_handle, shape, data_type, fill_value, options)
    }

    fn partial_encoder(
        self: Arc<Self>,
        input_output_handle: Arc<dyn BytesPartialEncoderTraits>,
        shape: &[NonZeroU64],
        data_type: &DataType,
        fill_value: &FillValue,
        options: &CodecOptions,
    ) -> Result<Arc<dyn ArrayPartialEncoderTraits>, CodecError> {
        Arc::clone(&self.inner).partial_encoder(
            input_output_handle,
            shape,
            data_type,
            fill_value,
            options,
        )
    }
}

/// Puts the index check in front of zarrs' sharding codec.
pub(super) fn register() {
    register_codec_v3(CodecRuntimePluginV3::new(
        <ShardingCodec as ExtensionAliases<ZarrVersion3>>::matches_name,
        CheckedShards::create,
    ));
}
