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

    /// `append(bytesOf:)` of RecordWriter and Reservation takes an 8-byte value as one word; values
    /// of every size, before and after odd-sized text, land in memory order either way.
    @Test func binaryValuesOfEverySizeAtEveryAlignment() throws {
        struct Pair: BitwiseCopyable { var low: UInt32; var high: UInt32 }
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 10)
        for lead in 0..<9 {
            let leading = [UInt8](repeating: 0xaa, count: lead)
            let expected = leading + [8, 7, 6, 5, 4, 3, 2, 1] + [4, 3, 2, 1] + [2, 0, 0, 0, 1, 0, 0, 0] + [9, 9]
            let capacity = expected.count
            let scoped = try ring.write(capacity: capacity) { record in
                leading.withUnsafeBytes { _ = record.append($0) }
                #expect(record.append(bytesOf: UInt64(0x0102_0304_0506_0708).littleEndian) == 8)
                #expect(record.append(bytesOf: UInt32(0x0102_0304).littleEndian) == 4)
                #expect(record.append(bytesOf: Pair(low: 2, high: 1)) == 8)
                #expect(record.append(bytesOf: UInt16(0x0909)) == 2)
            }
            var reservation = try ring.reserve(capacity: capacity)
            leading.withUnsafeBytes { _ = reservation.append($0) }
            #expect(reservation.append(bytesOf: UInt64(0x0102_0304_0506_0708).littleEndian) == 8)
            #expect(reservation.append(bytesOf: UInt32(0x0102_0304).littleEndian) == 4)
            #expect(reservation.append(bytesOf: Pair(low: 2, high: 1)) == 8)
            #expect(reservation.append(bytesOf: UInt16(0x0909)) == 2)
            let reserved = reservation.seq
            reservation.finalize()
            for seq in [scoped, reserved] {
                #expect(try #require(ring.record(at: seq)).bytes == expected, "\(lead) bytes first")
            }
        }
    }

    /// A full record takes as much of an 8-byte value as fits, as it does of any bytes.
    @Test func aWordIntoTooLittleRoomIsCut() throws {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 10)
        let seq = try ring.write(capacity: 5) { record in
            #expect(record.append(bytesOf: UInt64(0x0102_0304_0506_0708).littleEndian) == 5)
            #expect(record.append(bytesOf: UInt64(1)) == 0)
        }
        #expect(try #require(ring.record(at: seq)).bytes == [8, 7, 6, 5, 4])
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
