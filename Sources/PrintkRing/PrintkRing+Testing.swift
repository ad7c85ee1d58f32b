// Test-only surface: not part of the API users program against.

extension PrintkRing {
    /// The C ring (`prb_ring *`) behind this ring, for tools and tests that reach the test-only C
    /// declarations (`import CPrintkRing.Testing`), e.g. to install a fault hook with
    /// `prb_ring_set_fault_hook` (prb-log's freeze points). Valid as long as this object lives.
    @_spi(Testing)
    public var cRing: OpaquePointer { handle }
}
