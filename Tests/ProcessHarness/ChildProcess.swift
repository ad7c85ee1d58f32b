// Child processes for the multi-process tests: spawned with posix_spawn, their standard streams
// on files, waited for with a bound, and killed by pid. No Foundation Process: a supervisor must
// know exactly when a child is reaped, and must never wait without a limit.

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Where the package's executables are: next to the running executable (the test bundle and
/// prb-crash are built into the same directory as prb-log and prb-dump), unless PRB_TOOLS_DIR
/// says otherwise.
public let toolsDirectory: String = {
    if let dir = getenv("PRB_TOOLS_DIR"), dir.pointee != 0 { return String(cString: dir) }
    var path = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
    let length = readlink("/proc/self/exe", &path, path.count - 1)
    guard length > 0 else { return "." }
    let exe = String(decoding: path[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return String(exe[..<(exe.lastIndex(of: "/") ?? exe.endIndex)])
}()

/// The monotonic clock in nanoseconds.
public func monotonicNow() -> UInt64 {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return UInt64(now.tv_sec) * 1_000_000_000 + UInt64(now.tv_nsec)
}

/// Sleeps about `milliseconds` (a supervisor's pacing, never a wait for a condition).
public func sleepFor(milliseconds: Int) {
    var interval = timespec(tv_sec: milliseconds / 1000, tv_nsec: (milliseconds % 1000) * 1_000_000)
    var remaining = timespec()
    while nanosleep(&interval, &remaining) != 0 && errno == EINTR { interval = remaining }
}

/// Polls `condition` every millisecond until it holds or `seconds` have passed; returns whether
/// it held.
public func waitUntil(seconds: Double, _ condition: () -> Bool) -> Bool {
    let end = monotonicNow() + UInt64(seconds * 1e9)
    while !condition() {
        if monotonicNow() >= end { return condition() }
        sleepFor(milliseconds: 1)
    }
    return true
}

/// What a process has used so far: CPU time and its peak resident set (getrusage).
public struct ResourceUsage: CustomStringConvertible, Sendable {
    /// User and system CPU time, in seconds.
    public var cpuSeconds: Double
    /// The largest resident set the process has had, in kilobytes.
    public var peakResidentKilobytes: Int

    /// This process's own usage (its children's not included).
    public static func ofThisProcess() -> ResourceUsage {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let seconds = { (time: timeval) in Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return ResourceUsage(
            cpuSeconds: seconds(usage.ru_utime) + seconds(usage.ru_stime), peakResidentKilobytes: Int(usage.ru_maxrss))
    }

    public var description: String {
        "cpu \((cpuSeconds * 10).rounded() / 10) s, peak rss \(peakResidentKilobytes / 1024) MiB"
    }
}

/// A child process started by this process.
public final class ChildProcess {
    /// How a child ended.
    public enum Ending: Equatable, Sendable {
        case exited(Int32)
        case signaled(Int32)
    }

    public let pid: pid_t
    public let name: String
    public private(set) var ending: Ending?

    /// Starts `tool` (a name in `toolsDirectory`, or a path) with `arguments`, the current
    /// environment plus `environment`, standard input from `stdin` (or /dev/null) and standard
    /// output and error appended to the given files (or /dev/null).
    public init(
        _ tool: String, _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil,
        stdout: String? = nil, stderr: String? = nil
    ) throws(HarnessError) {
        let path = tool.contains("/") ? tool : toolsDirectory + "/" + tool
        name = tool
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin ?? "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, stderr ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o600)
        var inherited: [String] = []
        var entry = environ
        while let variable = entry.pointee {
            let text = String(cString: variable)
            let key = String(text.prefix(while: { $0 != "=" }))
            if environment[key] == nil { inherited.append(text) }
            entry += 1
        }
        let envStrings = inherited + environment.map { "\($0.key)=\($0.value)" }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = envStrings.map { strdup($0) } + [nil]
        defer {
            for pointer in argv { free(pointer) }
            for pointer in envp { free(pointer) }
        }
        var child: pid_t = 0
        let status = posix_spawn(&child, path, &actions, nil, argv, envp)
        guard status == 0 else { throw .spawnFailed(path, errno: status) }
        pid = child
    }

    /// Sends `signal` (nothing if the child was already reaped).
    public func send(_ signal: Int32) {
        if ending == nil { kill(pid, signal) }
    }

    /// Reaps the child if it has ended; returns whether it has.
    @discardableResult
    public func poll() -> Bool {
        if ending != nil { return true }
        var status: Int32 = 0
        let reaped = waitpid(pid, &status, WNOHANG)
        guard reaped == pid else { return false }
        // WIFEXITED / WIFSIGNALED by hand: the macros do not import.
        let signal = status & 0x7f
        ending = signal == 0 ? .exited((status >> 8) & 0xff) : .signaled(signal)
        return true
    }

    /// Waits at most `seconds` for the child to end; returns how it ended, or nil if it is still
    /// running.
    @discardableResult
    public func wait(seconds: Double) -> Ending? {
        _ = waitUntil(seconds: seconds) { poll() }
        return ending
    }

    /// SIGKILLs the child and reaps it (a killed process is reaped within moments; the bound is
    /// for a machine under heavy load).
    @discardableResult
    public func killAndReap() -> Ending? {
        send(SIGKILL)
        return wait(seconds: 30)
    }

    deinit {
        // Never leave a child behind, even when a test fails half-way.
        if ending == nil {
            kill(pid, SIGKILL)
            var status: Int32 = 0
            waitpid(pid, &status, 0)
        }
    }
}

/// What went wrong in the harness itself (not in the ring under test).
public enum HarnessError: Error, CustomStringConvertible {
    case spawnFailed(String, errno: Int32)
    case file(String, errno: Int32)
    case timedOut(String)
    case toolFailed(String)

    public var description: String {
        switch self {
        case .spawnFailed(let path, let code): "cannot start \(path): \(String(cString: strerror(code)))"
        case .file(let path, let code): "\(path): \(String(cString: strerror(code)))"
        case .timedOut(let what): "timed out waiting for \(what)"
        case .toolFailed(let what): what
        }
    }
}

/// Reads a whole file (empty if it does not exist).
public func readFile(_ path: String) -> String {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return "" }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let got = read(fd, &chunk, chunk.count)
        if got < 0 && errno == EINTR { continue }
        guard got > 0 else { break }
        bytes += chunk[..<got]
    }
    return String(decoding: bytes, as: UTF8.self)
}

/// A file another process appends to (a prb-dump --follow's output), read a piece at a time:
/// each ``newLines()`` returns the lines completed since the previous call, so a reader of a file
/// that grows for hours holds only what was appended since it last looked.
public final class GrowingFile {
    public let path: String
    /// Bytes read so far.
    public private(set) var offset: off_t = 0
    /// The start of a line whose newline has not been written yet.
    private var partialLine: [UInt8] = []

    public init(_ path: String) {
        self.path = path
    }

    /// The complete lines appended since the previous call (none if the file does not exist
    /// yet), without their newlines.
    public func newLines() -> [Substring] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var bytes = partialLine
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let got = pread(fd, &chunk, chunk.count, offset)
            if got < 0 && errno == EINTR { continue }
            guard got > 0 else { break }
            bytes += chunk[..<got]
            offset += off_t(got)
        }
        guard let lastNewline = bytes.lastIndex(of: UInt8(ascii: "\n")) else {
            partialLine = bytes
            return []
        }
        partialLine = Array(bytes[(lastNewline + 1)...])
        return String(decoding: bytes[..<lastNewline], as: UTF8.self).split(separator: "\n")
    }
}

/// Writes a whole file, replacing it.
public func writeFile(_ path: String, _ text: String) throws(HarnessError) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    guard fd >= 0 else { throw .file(path, errno: errno) }
    defer { close(fd) }
    var text = text
    let ok = text.withUTF8 { bytes in
        var done = 0
        while done < bytes.count {
            let wrote = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if wrote < 0 && errno == EINTR { continue }
            guard wrote > 0 else { return false }
            done += wrote
        }
        return true
    }
    if !ok { throw .file(path, errno: errno) }
}

/// A directory for one run's files, removed with everything in it when released.
public final class ScratchDirectory {
    public let path: String

    public init(prefix: String = "prb-mproc") throws(HarnessError) {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        guard let made = mkdtemp(&template) else { throw .file("/tmp/\(prefix)-XXXXXX", errno: errno) }
        path = String(cString: made)
    }

    public func file(_ name: String) -> String { path + "/" + name }

    deinit {
        guard let dir = opendir(path) else { return }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
            if name != "." && name != ".." { unlink(file(name)) }
        }
        closedir(dir)
        rmdir(path)
    }
}
