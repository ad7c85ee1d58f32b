import CPrintkRing
import Testing
import TestSupport

/// The text copies word by word: a record appended in pieces that start and end anywhere in a
/// word reads back byte for byte, and a read into a buffer of any size copies exactly what fits.
@Suite(.singleThreaded, .timeLimit(.minutes(1))) struct TextCopyTests {
    /// Every text length up to five words, split into three appends at every pair of cut points:
    /// partial first words (merged into what the record already holds), whole words, partial
    /// last words.
    @Test(arguments: 1...40)
    func appendsInPiecesAtEveryOffset(length: Int) {
        let r = CRing(descBits: 6, dataBits: 12)
        let text = pattern(length, seed: UInt64(length))
        for first in 0...length {
            for second in first...length {
                var entry = prb_entry()
                var meta = prb_meta()
                #expect(prb_reserve(r.ring, &entry, length, &meta) == PRB_OK)
                text.withUnsafeBytes { bytes in
                    for (start, end) in [(0, first), (first, second), (second, length)] where end > start {
                        let appended = prb_entry_append(&entry, bytes.baseAddress! + start, end - start)
                        #expect(appended == end - start)
                    }
                }
                let seq = entry.seq
                #expect(prb_final_commit(&entry) == PRB_OK)
                let (status, info, copied) = r.read(seq)
                #expect(status == PRB_READ_OK)
                #expect(Int(info.text_len) == length)
                #expect(copied == text, "pieces ending at \(first) and \(second) of \(length)")
            }
        }
    }

    /// A read copies min(text length, buffer size) bytes, whatever the two are modulo 8, and
    /// writes nothing past them.
    @Test(arguments: 1...40)
    func readsIntoBuffersOfEverySize(length: Int) {
        let r = CRing(descBits: 4, dataBits: 10)
        let text = pattern(length, seed: UInt64(length) + 100)
        let (status, seq) = r.write(text)
        #expect(status == PRB_OK)
        let sentinel: UInt8 = 0xEE
        for size in 1...(length + 9) {
            var buffer = [UInt8](repeating: sentinel, count: size + 16)
            var info = prb_record_info()
            let read = buffer.withUnsafeMutableBytes { prb_read(r.ring, seq, &info, $0.baseAddress, size) }
            #expect(read == PRB_READ_OK)
            let copied = min(length, size)
            #expect(Array(buffer[..<copied]) == Array(text[..<copied]), "buffer of \(size) for \(length)")
            #expect(buffer[copied...].allSatisfy { $0 == sentinel }, "bytes written past \(copied) (buffer \(size))")
        }
    }
}
