// Fuzzing the ring with damaged memory (issue 11, "The ring body is hostile input too"): thousands
// of rings that wrapped, each damaged at random (flipped bits, hostile ids, states, positions,
// lengths, seqs, header words), before or after attaching, then every read entry point and a few
// writes. Every call must return (a reader's drain is budgeted), never touch memory outside the
// region (the region lies between two PROT_NONE pages, in the plain run too; the ASan run checks
// every other buffer), and a reader must never store into the region (it is mapped PROT_READ
// while the readers run). scripts/fuzz.sh does the same for much longer with libFuzzer.

import CPrintkRing
import CPrintkRing.Testing
import Testing
import TestSupport

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Memory between two inaccessible pages: `bytes` usable bytes, placed so that they begin right
/// after the leading guard page (an underrun faults) or end right before the trailing one (an
/// overrun faults).
final class GuardedMemory {
    let bytes: Int
    private let page: Int
    private let inner: Int
    private let mapping: UnsafeMutableRawPointer

    init(bytes: Int) {
        self.bytes = bytes
        page = Int(sysconf(Int32(_SC_PAGESIZE)))
        inner = (bytes + page - 1) / page * page
        let m = mmap(nil, inner + 2 * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
        precondition(m != nil && m != MAP_FAILED, "mmap failed")
        mapping = m!
        protect(PROT_READ | PROT_WRITE)
    }

    deinit { munmap(mapping, inner + 2 * page) }

    /// Where the usable bytes start: against the leading guard page, or ending at the trailing one.
    func start(atEnd: Bool) -> UnsafeMutableRawPointer {
        atEnd ? mapping + page + inner - bytes : mapping + page
    }

    func protect(_ protection: Int32) {
        precondition(mprotect(mapping + page, inner, protection) == 0, "mprotect failed")
    }
}

/// The region's layout (prb.c: "Region layout"), in 64-bit words.
struct RegionLayout {
    let descBits: UInt32
    let dataBits: UInt32
    /// The layout flags (PRB_RING_NO_DEV_INFO: no device-info array).
    var flags: UInt32 = 0
    var descCount: Int { 1 << Int(descBits) }
    var dataSize: Int { 1 << Int(dataBits) }
    var bytes: Int { prb_ring_required_bytes_ex(descBits, dataBits, flags) }
    var words: Int { bytes / 8 }
    static let headerWords = 64
    /// Header words that change: head id, tail id, data head, data tail, last finalized seq, the
    /// two failure counters.
    static let positionWords = [8, 16, 24, 32, 40, 48, 56]
    /// The header word of the layout flags.
    static let flagsWord = 5
    var descBase: Int { Self.headerWords }
    var infoBase: Int { descBase + descCount * 4 }
    var devBase: Int { infoBase + descCount * 4 }
    var dataBase: Int { devBase + (flags & PRB_RING_NO_DEV_INFO != 0 ? 0 : descCount * 8) }
}

/// A ring's region, as bytes: the starting point of each damaged copy.
struct RingImage {
    let layout: RegionLayout
    let bytes: [UInt8]
    /// The caller id of the newest record, for prb_reserve_in_last.
    let lastCaller: UInt32
}

@Suite(.singleThreaded, .timeLimit(.minutes(2))) struct HostileRegionFuzzTests {
    static let geometries: [(UInt32, UInt32)] = [(2, 6), (3, 7), (3, 9), (4, 8), (5, 10)]

    /// A ring of this geometry after random writes that wrap both rings several times: final
    /// commits, commits (left for the next reservation to finalize), extensions, empty records,
    /// records too large for the free space (lost), and sometimes a writer that never commits.
    static func makeImage(_ geometry: (UInt32, UInt32), flags: UInt32 = 0, random: inout SplitMix64) -> RingImage {
        let layout = RegionLayout(descBits: geometry.0, dataBits: geometry.1, flags: flags)
        var status = PRB_OK
        let ring = prb_ring_create_ex(layout.descBits, layout.dataBits, layout.flags, &status)!
        defer { prb_ring_destroy(ring) }
        let maxText = prb_max_text_size(ring)
        var text = [UInt8](repeating: 0, count: maxText)
        var open: [prb_entry] = []
        var lastCaller: UInt32 = 0
        for step in 0..<(3 * layout.descCount + random.below(4 * layout.descCount)) {
            for k in text.indices { text[k] = UInt8(truncatingIfNeeded: step &* 31 &+ k) }
            let size = random.percent(10) ? 0 : random.inRange(1...maxText)
            let caller = UInt32(random.below(3))
            var meta = prb_meta(timestamp_ns: UInt64(step + 1), caller_id: caller, level: 3, facility: 1, flags: 0, has_timestamp: 0)
            var entry = prb_entry()
            switch random.below(10) {
            case 0...4:
                _ = text.withUnsafeBytes { prb_write(ring, $0.baseAddress, size, &meta, nil) }
            case 5...7:
                if prb_reserve(ring, &entry, size, &meta) == PRB_OK {
                    _ = text.withUnsafeBytes { prb_entry_append(&entry, $0.baseAddress, size) }
                    if random.percent(30) { prb_entry_set_dev_info(&entry, "usb", "1-1.2") }
                    if random.percent(3) && open.count < 2 {
                        open.append(entry)  // a stuck writer
                    } else {
                        _ = prb_commit(&entry)
                    }
                }
            default:
                if prb_reserve_in_last(ring, &entry, caller, size / 2, maxText) == PRB_OK {
                    _ = text.withUnsafeBytes { prb_entry_append(&entry, $0.baseAddress, size / 2) }
                    _ = prb_commit(&entry)
                }
            }
            lastCaller = caller
        }
        let memory = prb_ring_memory(ring)!
        let bytes = [UInt8](UnsafeRawBufferPointer(start: memory, count: layout.bytes))
        return RingImage(layout: layout, bytes: bytes, lastCaller: lastCaller)
    }

    /// A hostile value near `value`: off by a little, by a ring, by half the id space; with other
    /// state bits; a bit flipped; or one of the values that break naive code.
    static func hostile(near value: UInt64, _ layout: RegionLayout, random: inout SplitMix64) -> UInt64 {
        let count = UInt64(layout.descCount)
        let size = UInt64(layout.dataSize)
        let small = UInt64(random.inRange(1...16))
        switch random.below(16) {
        case 0: return value &+ small
        case 1: return value &- small
        case 2: return value &+ count &* UInt64(random.inRange(1...3))
        case 3: return value &- count &* UInt64(random.inRange(1...3))
        case 4: return value &+ size &* UInt64(random.inRange(1...2))
        case 5: return value &- size
        case 6: return value &+ size / 2 &+ UInt64(random.below(3)) &* 8
        case 7: return (value & ((1 << 62) - 1)) | (UInt64(random.below(4)) << 62)  // another state
        case 8: return value ^ (1 << UInt64(random.below(64)))
        case 9: return value &+ (1 << 61)
        case 10: return [0, 1, 3, 8, .max, .max - 7, 1 << 63, (1 << 62) - 1][random.below(8)]
        case 11: return value & ~7 | UInt64(random.below(8))  // misaligned
        case 12: return UInt64(random.below(Int(size) * 3)) &- size  // a position in some wrap
        case 13: return value &* 2
        case 14: return random.next()
        default: return value &- 8
        }
    }

    /// Damages `region` (which holds a ring of `layout`) in 1 to 6 places.
    static func damage(_ region: UnsafeMutableRawPointer, _ layout: RegionLayout, random: inout SplitMix64) {
        func word(_ w: Int) -> UInt64 { region.load(fromByteOffset: w * 8, as: UInt64.self) }
        func set(_ w: Int, _ v: UInt64) { region.storeBytes(of: v, toByteOffset: w * 8, as: UInt64.self) }
        for _ in 0..<random.inRange(1...6) {
            let slot = random.below(layout.descCount)
            let w: Int
            switch random.below(8) {
            case 0:  // a bit anywhere
                let byte = random.below(layout.bytes)
                let p = region.advanced(by: byte).assumingMemoryBound(to: UInt8.self)
                p.pointee ^= UInt8(1 << random.below(8))
                continue
            case 1:  // a position, or now and then the layout flags
                let positions = RegionLayout.positionWords
                w = random.percent(15) ? RegionLayout.flagsWord : positions[random.below(positions.count)]
            case 2: w = layout.descBase + slot * 4  // a state word
            case 3: w = layout.descBase + slot * 4 + 1 + random.below(2)  // blk.begin / blk.next
            case 4: w = layout.infoBase + slot * 4 + random.below(3)  // seq, timestamp, caller/len
            case 5: w = layout.dataBase + random.below(layout.dataSize / 8)  // a block header, text
            case 6:  // a copy of another word of the same kind (a plausible but wrong value)
                let other = random.below(layout.descCount)
                let k = random.below(3)
                set(layout.descBase + slot * 4 + k, word(layout.descBase + other * 4 + k))
                continue
            default: w = random.below(layout.words)  // any word
            }
            set(w, hostile(near: word(w), layout, random: &random))
        }
    }

    /// Every read entry point on a (possibly damaged) ring. Each call must return; a reader's drain
    /// may return at most one record per descriptor slot per seq it visits (a record is readable
    /// only if its slot holds exactly its seq), so more than a few rings' worth is a runaway.
    static func readEverything(_ ring: OpaquePointer, _ layout: RegionLayout, buffer: UnsafeMutableRawPointer,
                               bufferSize: Int, random: inout SplitMix64, context: String) -> Bool {
        let count = UInt64(layout.descCount)
        var info = prb_record_info()
        let first = prb_first_seq(ring)
        _ = prb_first_valid_seq(ring)
        let next = prb_next_seq(ring)
        let reserve = prb_next_reserve_seq(ring)
        var stats = prb_stats()
        prb_get_stats(ring, &stats)
        guard stats.text_bytes_used <= UInt64(layout.dataSize) else {
            Issue.record("\(context): text_bytes_used \(stats.text_bytes_used) > \(layout.dataSize)")
            return false
        }
        var starts: [UInt64] = [0, first, first &- 1, next, reserve &- 1, reserve, random.next()]
        starts.append(first &+ UInt64(random.below(Int(count) * 2)))
        for k in 0..<(2 * count + 4) {
            let seq = first &- 2 &+ k
            let withBuffer = random.percent(70)
            let size = withBuffer ? random.inRange(0...bufferSize) : 0
            // The text goes at the end of the guarded buffer: one byte too many faults.
            let target = withBuffer ? buffer + (bufferSize - size) : nil
            let status =
                random.percent(80) ? prb_read(ring, seq, &info, target, size) : prb_read(ring, seq, nil, target, size)
            guard status.rawValue <= PRB_READ_LOST.rawValue else {
                Issue.record("\(context): prb_read status \(status.rawValue)")
                return false
            }
        }
        for start in starts {
            for panic in [false, true] {
                var seq = start
                let size = random.inRange(0...bufferSize)
                if prb_read_valid(ring, &seq, &info, buffer + (bufferSize - size), size, panic), seq < start {
                    Issue.record("\(context): prb_read_valid from \(start) went back to \(seq)")
                    return false
                }
                var reader = prb_reader()
                prb_reader_init(&reader, ring, start, panic)
                var records: UInt64 = 0
                while prb_reader_next(&reader, &info, buffer + (bufferSize - size), size) {
                    records += 1
                    guard records <= 4 * count + 8 else {
                        Issue.record("\(context): a reader from \(start) (panic \(panic)) does not stop")
                        return false
                    }
                }
                guard reader.next_seq >= start else {
                    Issue.record("\(context): reader went back from \(start) to \(reader.next_seq)")
                    return false
                }
            }
        }
        return true
    }

    /// A few writes of every kind through a damaged ring: they may fail, but must return.
    static func writeALittle(_ ring: OpaquePointer, caller: UInt32, random: inout SplitMix64) {
        let maxText = prb_max_text_size(ring)
        let text = [UInt8](repeating: 0x41, count: maxText)
        for _ in 0..<random.inRange(1...4) {
            let size = random.inRange(0...maxText)
            var meta = prb_meta(timestamp_ns: 1, caller_id: caller, level: 1, facility: 0, flags: 0, has_timestamp: 0)
            var entry = prb_entry()
            switch random.below(4) {
            case 0:
                var seq: UInt64 = 0
                _ = text.withUnsafeBytes { prb_write(ring, $0.baseAddress, size, &meta, &seq) }
            case 1:
                if prb_reserve(ring, &entry, size, &meta) == PRB_OK {
                    _ = text.withUnsafeBytes { prb_entry_append(&entry, $0.baseAddress, size) }
                    prb_entry_set_dev_info(&entry, "sub", "dev")
                    _ = random.percent(50) ? prb_commit(&entry) : prb_final_commit(&entry)
                }
            default:
                if prb_reserve_in_last(ring, &entry, caller, size / 2, maxText) == PRB_OK {
                    _ = text.withUnsafeBytes { prb_entry_append(&entry, $0.baseAddress, size / 2) }
                    _ = random.percent(50) ? prb_commit(&entry) : prb_final_commit(&entry)
                }
            }
        }
    }

    @Test func damagedRingsNeverHangCrashOrEscapeTheRegion() throws {
        let seed = getenv("PRB_FUZZ_SEED").map { UInt64(String(cString: $0)) ?? 1 } ?? 0x5EED_F022
        let inputs = getenv("PRB_FUZZ_INPUTS").map { Int(String(cString: $0)) ?? 20000 } ?? 20000
        var random = SplitMix64(seed: seed)
        var images: [RingImage] = []
        for geometry in Self.geometries {
            // One ring in three without device-info storage (the data ring right after the infos).
            for k in 0..<3 {
                images.append(Self.makeImage(geometry, flags: k == 2 ? PRB_RING_NO_DEV_INFO : 0, random: &random))
            }
        }
        var memories: [Int: GuardedMemory] = [:]
        var buffers: [Int: GuardedMemory] = [:]
        var attachedBefore = 0
        var refused = 0
        let started = prb_clock_ns()
        for input in 0..<inputs {
            let state = random.state
            let image = images[random.below(images.count)]
            let layout = image.layout
            let memory = memories[layout.bytes] ?? GuardedMemory(bytes: layout.bytes)
            memories[layout.bytes] = memory
            let maxText = Int(layout.dataSize / 2 - 8)
            let buffer = buffers[maxText] ?? GuardedMemory(bytes: maxText)
            buffers[maxText] = buffer
            let context = "input \(input) (replay: PRB_FUZZ_SEED=\(seed), generator state \(state))"

            memory.protect(PROT_READ | PROT_WRITE)
            let region = memory.start(atEnd: input % 2 == 1)
            image.bytes.withUnsafeBytes { region.copyMemory(from: $0.baseAddress!, byteCount: layout.bytes) }
            // Damage before attaching (attach checks what it can), or after (another process
            // damaging a ring we have open: attach cannot help).
            let late = random.percent(60)
            if !late { Self.damage(region, layout, random: &random) }
            var status = PRB_OK
            guard let reader = prb_ring_attach_read_only(region, layout.bytes, &status) else {
                #expect(status == PRB_E_BAD_MEMORY, "\(context)")
                refused += 1
                continue
            }
            let writer = prb_ring_attach(region, layout.bytes, &status)!
            defer {
                prb_ring_destroy(reader)
                prb_ring_destroy(writer)
            }
            if late { Self.damage(region, layout, random: &random) } else { attachedBefore += 1 }

            // Readers on a PROT_READ region: a store would fault.
            memory.protect(PROT_READ)
            let textEnd = buffer.start(atEnd: true)
            guard
                Self.readEverything(reader, layout, buffer: textEnd, bufferSize: maxText, random: &random,
                                    context: context)
            else { return }
            memory.protect(PROT_READ | PROT_WRITE)
            Self.writeALittle(writer, caller: image.lastCaller, random: &random)
            memory.protect(PROT_READ)
            guard
                Self.readEverything(reader, layout, buffer: textEnd, bufferSize: maxText, random: &random,
                                    context: context + ", after writes")
            else { return }
        }
        let seconds = Double(prb_clock_ns() - started) / 1e9
        print(
            "hostile-region fuzz: \(inputs) damaged rings (\(refused) refused by attach, \(attachedBefore) damaged "
                + "before attaching, the rest after) in \(String(format: "%.2f", seconds)) s, seed \(seed)")
        #expect(refused < inputs / 2, "most damaged rings should get past attach, to reach the readers")
    }
}

/// The damage the fuzz found or the review suspected, one case each, failing fast: each loop's
/// bound (prb.c, section 6) on a ring of 16 descriptors and 512 bytes of text that wrapped.
@Suite(.singleThreaded, .timeLimit(.minutes(1))) struct HostileRegionTests {
    let r = CRing(descBits: 4, dataBits: 9)
    let layout = RegionLayout(descBits: 4, dataBits: 9)
    let idMask: UInt64 = (1 << 62) - 1

    init() {
        for i in 0..<40 { r.write(pattern(8 + i % 20, seed: UInt64(i))) }
    }

    var region: UnsafeMutableRawPointer { prb_ring_memory(r.ring)! }
    func word(_ w: Int) -> UInt64 { region.load(fromByteOffset: w * 8, as: UInt64.self) }
    func set(_ w: Int, _ v: UInt64) { region.storeBytes(of: v, toByteOffset: w * 8, as: UInt64.self) }
    func stateWord(slot: UInt64) -> Int { layout.descBase + Int(slot) * 4 }
    func infoSeqWord(slot: UInt64) -> Int { layout.infoBase + Int(slot) * 4 }
    var tailSlot: UInt64 { r.positions.tail_id & (r.descCount - 1) }

    /// Every reader returns, a drain within one ring of records (each under a deadline: a loop
    /// without its bound fails the test, named, instead of hanging the run).
    func readersReturn(sourceLocation: SourceLocation = #_sourceLocation) {
        for panic in [false, true] {
            let what = "a reader (panic mode: \(panic)) draining the damaged ring"
            let count = returnsInTime(what, sourceLocation: sourceLocation) {
                r.readAll(from: 0, panic: panic).seqs.count
            }
            #expect(count.map { UInt64($0) <= r.descCount } == true, sourceLocation: sourceLocation)
        }
        _ = returnsInTime("prb_next_seq on the damaged ring", sourceLocation: sourceLocation) { prb_next_seq(r.ring) }
        _ = returnsInTime("prb_first_valid_seq on the damaged ring", sourceLocation: sourceLocation) {
            prb_first_valid_seq(r.ring)
        }
    }

    /// prb_first_seq, under a deadline.
    func firstSeq(sourceLocation: SourceLocation = #_sourceLocation) -> UInt64? {
        returnsInTime("prb_first_seq on the damaged ring", sourceLocation: sourceLocation) { prb_first_seq(r.ring) }
    }

    /// `count` writes of 8 + n % 20 bytes, under a deadline: each fails or succeeds, none waits.
    func writesReturn(_ count: Int, sourceLocation: SourceLocation = #_sourceLocation) -> [prb_status] {
        returnsInTime("\(count) writes to the damaged ring", sourceLocation: sourceLocation) {
            (0..<count).map { r.write(pattern(8 + $0 % 20, seed: UInt64($0))).0 }
        } ?? []
    }

    /// prb_first_seq re-read the tail until it stood on a finalized or reusable descriptor: a tail
    /// on a reserved one (which a sound ring never has) hung it, and every reader with it.
    @Test func aTailOnAReservedDescriptorIsDamageNotAWait() {
        let first = prb_first_seq(r.ring)
        let tail = r.positions.tail_id
        set(stateWord(slot: tailSlot), tail & idMask)  // reserved, the tail's own id
        #expect(firstSeq() == first, "the seq the tail id implies")
        readersReturn()
        set(stateWord(slot: tailSlot), (tail &+ 5) & idMask)  // another id: a miss, for ever
        #expect(firstSeq() == first)
        readersReturn()
        // Writers do not take the slot of a damaged tail either: they fail, they do not hang.
        #expect(writesReturn(20).allSatisfy { $0 != PRB_E_BAD_ENTRY })
        readersReturn()
    }

    /// A tail id damaged to one more than a ring behind the head (its slot holds a newer record):
    /// prb_first_seq answers no seq more than a ring behind the head, where no record can be.
    @Test func aTailFarBehindTheHeadIsAnsweredWithinARing() {
        let next = prb_next_reserve_seq(r.ring)
        set(RegionLayout.positionWords[1], (r.positions.head_id &- (next - 1)) & idMask)  // seq 0's id
        let first = firstSeq()
        #expect(first.map { $0 >= next - r.descCount && $0 <= next } == true, "first seq \(String(describing: first))")
        readersReturn()
    }

    @Test func aTailRecordWithAForeignSeqIsNotBelieved() {
        let first = prb_first_seq(r.ring)
        set(infoSeqWord(slot: tailSlot), 1 << 40)
        #expect(prb_first_seq(r.ring) == first)
        set(infoSeqWord(slot: tailSlot), first &- 3)
        #expect(prb_first_seq(r.ring) == first)
        readersReturn()
    }

    /// A head word moved 2^50 ahead: the panic skip went seq by seq up to it.
    @Test func aHeadFarAheadDoesNotMakeThePanicSkipWalk() {
        set(RegionLayout.positionWords[0], (r.positions.head_id &+ (1 << 50)) & idMask)
        var reader = prb_reader()
        prb_reader_init(&reader, r.ring, prb_first_seq(r.ring), true)
        let records = returnsInTime("a panic-mode reader under a head 2^50 ahead") { () -> Int in
            var info = prb_record_info()
            var records = 0
            while prb_reader_next(&reader, &info, nil, 0) { records += 1 }
            return records
        }
        #expect(records.map { $0 <= 16 } == true)
        // It skipped to the head (not one by one) and stopped there; the skipped seqs were never
        // finalized, so it stays at the first of them and counts none of them lost.
        #expect(reader.next_seq == 40 && reader.lost == 0)
        var seq: UInt64 = 40
        #expect(!prb_read_valid(r.ring, &seq, nil, nil, 0, true))
        #expect(seq == 40)
    }

    /// A damaged finalized-prefix cache: prb_next_seq walks from the start instead of returning it.
    @Test func aDamagedFinalizedPrefixCacheIsNotTrusted() {
        #expect(prb_next_seq(r.ring) == 40)
        set(RegionLayout.positionWords[4], 1 << 40)
        #expect(prb_next_seq(r.ring) == 40)
        set(RegionLayout.positionWords[4], .max)
        #expect(prb_next_seq(r.ring) == 40)
        r.write(pattern(8, seed: 2))
        #expect(prb_next_seq(r.ring) == 41)
    }

    /// Found by the fuzz: a finalized record whose info claims seq 2^64-1 was read as that seq, and
    /// a reader's next seq wrapped around to 0.
    @Test func aRecordClaimingTheLastSeqDoesNotWrapAReader() {
        let slot = UInt64.max & (r.descCount - 1)
        set(infoSeqWord(slot: slot), .max)
        #expect(r.read(.max).0 == PRB_READ_NOT_YET)
        var reader = prb_reader()
        prb_reader_init(&reader, r.ring, .max, false)
        var info = prb_record_info()
        #expect(!prb_reader_next(&reader, &info, nil, 0))
        #expect(reader.next_seq == .max)
    }

    /// Damaged block positions or a damaged text length of a finalized record: each reads as lost,
    /// never as text from outside the record's block (a block spanning more than one wrap, a block
    /// larger than the largest record, a text longer than its block).
    @Test func damagedBlockPositionsOrLengthReadAsLost() throws {
        let seq: UInt64 = 39  // the newest record: 27 bytes of text, finalized
        let (begin, next) = try #require(r.block(seq))
        try #require(r.read(seq).0 == PRB_READ_OK)
        let slot = Int(seq & (r.descCount - 1))
        let wrapStart = begin & ~(UInt64(layout.dataSize) - 1)
        let size = UInt64(layout.dataSize)
        let damages: [(String, UInt64, UInt64)] = [
            ("a block spanning more than one wrap", wrapStart + 64, wrapStart + 64 + 2 * size + 16),
            ("a block larger than the largest record", wrapStart, wrapStart + size / 2 + 64),
        ]
        for (what, damagedBegin, damagedNext) in damages {
            set(layout.descBase + slot * 4 + 1, damagedBegin)
            set(layout.descBase + slot * 4 + 2, damagedNext)
            #expect(r.read(seq).0 == PRB_READ_LOST, "\(what)")
        }
        set(layout.descBase + slot * 4 + 1, begin)
        set(layout.descBase + slot * 4 + 2, next)
        try #require(r.read(seq).0 == PRB_READ_OK)
        // The text length (low half of the caller/length word) beyond the block's text.
        let callerLength = word(infoSeqWord(slot: UInt64(slot)) + 2)
        set(infoSeqWord(slot: UInt64(slot)) + 2, (callerLength & ~0xFFFF_FFFF) | (next - begin))
        #expect(r.read(seq).0 == PRB_READ_LOST, "a text longer than its block")
    }

    /// A committed record whose text length was damaged beyond its block: its owner's extension
    /// keeps only the text the block holds (the length is cut to the block), so the record
    /// reads whole again with the new text after it, instead of staying unreadable.
    @Test func anExtensionCutsADamagedTextLengthToTheBlock() throws {
        let ring = CRing(descBits: 4, dataBits: 10)
        let ringLayout = RegionLayout(descBits: 4, dataBits: 10)
        let memory = try #require(prb_ring_memory(ring.ring))
        var (status, entry) = ring.reserve(Array("abcdefgh".utf8), caller: 7)  // a block of 8 bytes of text
        try #require(status == PRB_OK)
        try #require(prb_commit(&entry) == PRB_OK)
        let lengthWord = (ringLayout.infoBase + Int(entry.seq & 15) * 4 + 2) * 8
        let callerLength = memory.load(fromByteOffset: lengthWord, as: UInt64.self)
        memory.storeBytes(of: (callerLength & ~0xFFFF_FFFF) | 100, toByteOffset: lengthWord, as: UInt64.self)
        var more = prb_entry()
        #expect(prb_reserve_in_last(ring.ring, &more, 7, 4, 64) == PRB_OK)
        _ = Array("XYZW".utf8).withUnsafeBytes { prb_entry_append(&more, $0.baseAddress, $0.count) }
        _ = prb_final_commit(&more)
        #expect(ring.read(entry.seq).2 == Array("abcdefghXYZW".utf8))
    }

    /// A data head that is not a block position (not a multiple of 8): no block is allocated at
    /// it, the write reports no space (its record lost), and the head is left as it was.
    @Test func aMisalignedDataHeadGivesNoBlock() {
        let head = r.positions.data_head_lpos
        set(RegionLayout.positionWords[2], head &+ 4)
        let failedBefore = r.stats.failed_data
        #expect(r.write(pattern(16, seed: 1)).0 == PRB_E_NO_SPACE)
        #expect(r.stats.failed_data == failedBefore + 1)
        #expect(r.positions.data_head_lpos == head &+ 4)
        readersReturn()
    }

    /// The same damage where the data ring wraps first (64 descriptors, 512 bytes), so that the
    /// damaged descriptor is not recycled before the walk reaches its block: the walk must stop
    /// there, not step to the same block (or back, or a ring ahead) for ever.
    @Test(arguments: [UInt64(0), 8, 1 << 20])
    func aDamagedBlockEndStopsTheWalkOverItsOwnDescriptor(offset: UInt64) throws {
        let ring = CRing(descBits: 6, dataBits: 9)
        let ringLayout = RegionLayout(descBits: 6, dataBits: 9)
        let memory = try #require(prb_ring_memory(ring.ring))
        for i in 0..<12 { ring.write(pattern(40, seed: UInt64(i))) }  // 48-byte blocks: the text wraps
        let tailLpos = ring.positions.data_tail_lpos
        let id = memory.load(fromByteOffset: (ringLayout.dataBase + Int(tailLpos & 511) / 8) * 8, as: UInt64.self)
        let nextWord = ringLayout.descBase + Int(id & 63) * 4 + 2
        memory.storeBytes(of: tailLpos &- offset, toByteOffset: nextWord * 8, as: UInt64.self)
        let statuses = returnsInTime("writes whose tail walk meets the damaged block") {
            (0..<20).map { ring.write(pattern(40, seed: UInt64($0))).0 }
        }
        #expect(statuses?.allSatisfy { [PRB_OK, PRB_E_NO_SPACE, PRB_E_NO_DESCRIPTOR].contains($0) } == true)
        #expect(returnsInTime("a reader of the damaged ring") { ring.readAll().seqs.count }.map { $0 <= 64 } == true)
    }

    /// A block whose descriptor says it ends before it begins, or more than a ring ahead: the data
    /// tail walk stops there, writes fail or succeed but return, readers see lost records.
    @Test(arguments: [UInt64(0), 8, 1 << 20]) func aBlockEndingBackwardsOrFarAheadStopsTheTailWalk(offset: UInt64) {
        let tailLpos = r.positions.data_tail_lpos
        let id = region.load(fromByteOffset: (layout.dataBase + Int(tailLpos & UInt64(layout.dataSize - 1)) / 8) * 8,
                             as: UInt64.self)
        let slot = id & (r.descCount - 1)
        set(layout.descBase + Int(slot) * 4 + 2, tailLpos &- offset)  // blk.next: no advance, back
        let statuses = returnsInTime("30 writes over the damaged block") {
            (0..<30).map { r.write(pattern(40, seed: UInt64($0))).0 }
        }
        #expect(statuses?.allSatisfy { [PRB_OK, PRB_E_NO_SPACE, PRB_E_NO_DESCRIPTOR].contains($0) } == true)
        readersReturn()
    }
}
