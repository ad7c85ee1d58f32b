// A ring created without device-info storage (storesDeviceInfo: false), through the Swift API.

import PrintkRing
import Testing
import TestSupport

@Suite(.singleThreaded, .timeLimit(.minutes(1))) struct DeviceInfoStorageTests {
    @Test func theFootprintLeavesOutTheDeviceInfoArray() throws {
        let with = try #require(PrintkRing.requiredBytes(descriptorBits: 12, dataBits: 17))
        let without = try #require(PrintkRing.requiredBytes(descriptorBits: 12, dataBits: 17, storesDeviceInfo: false))
        #expect(with - without == 64 << 12, "64 bytes per descriptor")
        #expect(with == 512 + 128 << 12 + 1 << 17)
        #expect(without == 512 + 64 << 12 + 1 << 17)
    }

    @Test(arguments: [true, false]) func deviceInfoIsKeptOnlyWhereThereIsStorage(stores: Bool) throws {
        let ring = try PrintkRing(descriptorBits: 4, dataBits: 10, storesDeviceInfo: stores)
        #expect(ring.storesDeviceInfo == stores)
        var reservation = try ring.reserve(capacity: 9)
        reservation.setDeviceInfo(subsystem: "usb", device: "1-1.4")
        Array("plugged in".utf8).prefix(9).withUnsafeBytes { _ = reservation.append($0) }
        let seq = reservation.seq
        reservation.finalize()
        try ring.write(capacity: 4) { writer in
            writer.setDeviceInfo(subsystem: "net", device: "eth0")
            Array("link".utf8).withUnsafeBytes { _ = writer.append($0) }
        }
        let records: [PrintkRing.Record] = ring.reader(from: seq).map { $0 }
        try #require(records.count == 2)
        #expect(records.map(\.text) == ["plugged i", "link"])
        #expect(records.map(\.info.subsystem) == (stores ? ["usb", "net"] : ["", ""]))
        #expect(records.map(\.info.device) == (stores ? ["1-1.4", "eth0"] : ["", ""]))
    }

    @Test func formattingCallerMemoryWithoutDeviceInfo() throws {
        let need = try #require(PrintkRing.requiredBytes(descriptorBits: 4, dataBits: 10, storesDeviceInfo: false))
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: need, alignment: 64)
        defer { memory.deallocate() }
        do {
            let ring = try PrintkRing(formatting: memory, descriptorBits: 4, dataBits: 10, storesDeviceInfo: false)
            try ring.write("fits in the smaller region")
            let attached = try PrintkRing(attachingTo: memory)
            #expect(!attached.storesDeviceInfo)
            #expect(attached.reader().map(\.text) == ["fits in the smaller region"])
        }
        // The layout with device info does not fit there.
        #expect(throws: PrintkRingError.self) {
            try PrintkRing(formatting: memory, descriptorBits: 4, dataBits: 10)
        }
    }

    @Test func aRingFileWithoutDeviceInfo() throws {
        let file = RingFileAPITests.TemporaryPath("no-device-info.ring")
        let path = file.path
        do {
            let ring = try PrintkRing(creatingFile: path, descriptorBits: 4, dataBits: 10, storesDeviceInfo: false)
            #expect(!ring.storesDeviceInfo)
            #expect(ring.fileInfo?.storesDeviceInfo == false)
            try ring.write("kept")
        }
        let reopened = try PrintkRing(openingFile: path)
        #expect(!reopened.storesDeviceInfo)
        #expect(reopened.fileInfo?.storesDeviceInfo == false)
        #expect(reopened.reader().map(\.text) == ["kept"])
    }
}
