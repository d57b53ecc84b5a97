"""Matrix-aware methods: each matrix block of the parameters updated as a matrix (Muon's
orthogonalized momentum, Adafactor's factored second moment, Shampoo's and SOAP's
preconditioners), the other blocks by a fallback."""
