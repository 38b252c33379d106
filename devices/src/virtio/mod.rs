//! virtio (placeholder)
