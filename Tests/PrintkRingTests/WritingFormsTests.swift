// The three writing forms (one call, scoped in place, two-phase reservation) offer the same
// things: metadata with a timestamp, binary values, device info; and the scoped write takes a
// closure that throws the caller's own typed error.

import PrintkRing
import Testing
import TestSupport

@Suite(.singleThreaded, .timeLimit(.minutes(1))) struct WritingFormsTests {
    let stamped = RecordMetadata(level: .notice, facility: 3, callerID: 9, timestampNanoseconds: 1_234)

    @Test func aStringWithMetadata() throws {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 10)
        let seq = try ring.write("with a timestamp", metadata: stamped)
        let record = try #require(ring.record(at: seq))
        #expect(record.text == "with a timestamp")
        #expect(record.info.timestampNanoseconds == 1_234 && record.info.level == .notice)
        #expect(record.info.facility == 3 && record.info.callerID == 9)
    }

    /// 0 is a timestamp like any other; only `nil` reads the clock (PrintkRing.now's).
    @Test func timestampZeroIsKeptAndNilReadsTheClock() throws {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 10)
        let zero = try ring.write("at zero", metadata: RecordMetadata(timestampNanoseconds: 0))
        let before = PrintkRing.now
        let clocked = try ring.write("now", metadata: RecordMetadata(timestampNanoseconds: nil))
        let after = PrintkRing.now
        #expect(ring.record(at: zero)?.info.timestampNanoseconds == 0)
        let stamped = try #require(ring.record(at: clocked)?.info.timestampNanoseconds)
        #expect(before <= stamped && stamped <= after)
    }

    @Test func deviceInfoAndBinaryValuesInEveryForm() throws {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 10)
        let scoped = try ring.write(capacity: 8, metadata: stamped) { record in
            record.append(bytesOf: UInt64(0x0102_0304_0506_0708).littleEndian)
            record.setDeviceInfo(subsystem: "pci", device: "+pci:0000:00:1f.2")
        }
        var reservation = try ring.reserve(capacity: 8, metadata: stamped)
        reservation.append(bytesOf: UInt64(0x0102_0304_0506_0708).littleEndian)
        reservation.setDeviceInfo(subsystem: "pci", device: "+pci:0000:00:1f.2")
        let reserved = reservation.seq
        reservation.finalize()
        for seq in [scoped, reserved] {
            let record = try #require(ring.record(at: seq))
            #expect(record.bytes == [8, 7, 6, 5, 4, 3, 2, 1])
            #expect(record.info.subsystem == "pci" && record.info.device == "+pci:0000:00:1f.2")
            #expect(record.info.timestampNanoseconds == 1_234)
        }
    }

    struct ParseError: Error, Equatable { let field: Int }

    @Test func aClosureThrowsItsOwnTypedError() throws {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 10)
        let written = try ring.write(capacity: 16, throwing: { (record: inout RecordWriter) throws(ParseError) in
            record.append("fine")
        })
        #expect(ring.record(at: written)?.text == "fine")
        do {
            try ring.write(capacity: 16, throwing: { (record: inout RecordWriter) throws(ParseError) in
                record.append("half")
                throw ParseError(field: 3)
            })
            Issue.record("the closure's error did not come back")
        } catch {
            // The error is typed: PrintkRing.WriteFailure<ParseError>.
            guard case .fill(let parseError) = error else {
                Issue.record("expected .fill, got \(error)")
                return
            }
            #expect(parseError == ParseError(field: 3))
        }
        // The record was reserved before the closure threw: it is final with what it had.
        #expect(ring.record(at: written + 1)?.text == "half")
        do {
            try ring.write(capacity: -1, throwing: { (_: inout RecordWriter) throws(ParseError) in })
            Issue.record("a negative capacity was accepted")
        } catch {
            guard case .ring(let ringError) = error else {
                Issue.record("expected .ring, got \(error)")
                return
            }
            #expect(ringError == .negativeSize(-1))
        }
    }
}
