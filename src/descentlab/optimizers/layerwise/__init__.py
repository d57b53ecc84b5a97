"""Layer-wise methods: each block's step scaled by a trust ratio of the block's norms."""
