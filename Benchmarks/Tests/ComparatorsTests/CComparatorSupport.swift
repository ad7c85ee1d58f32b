// What the tests of the C comparators' own API (beyond LogRing: the panic tools, the split
// reserve/commit, fetch-add's positions) share.

import CComparators

func makeMeta(caller: UInt32, ts: UInt64, level: UInt8 = 6, facility: UInt8 = 1, flags: UInt8 = 0) -> logring_meta {
    logring_meta(ts_nsec: ts, caller_id: caller, level: level, facility: facility, flags: flags)
}

/// The checksum recomputed over a copied text.
func checksumMatches(_ info: logring_record_info, _ text: [UInt8]) -> Bool {
    text.withUnsafeBytes { logring_record_checksum(info.seq, $0.baseAddress, $0.count) } == info.checksum
}

/// Lets a C ring handle cross into a thread; the tests keep the ring alive until join.
struct SendablePointer: @unchecked Sendable {
    let raw: OpaquePointer
}
