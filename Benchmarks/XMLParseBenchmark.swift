import Foundation
import Poller

/// Throughput and peak memory of `IntacctResponseReader` on a ~100 MB GLDETAIL query response, compared
/// with `xmllint --stream --noout` on the same file.
///
///     swift run -c release Benchmarks xml-parse [--megabytes 100] [--runs 3] [--keep]
///
/// Runs xmllint and both reader modes interleaved `--runs` times and prints medians of wall-clock and
/// CPU time (CPU time is the steadier figure when other processes share the machine).
///
/// Peak RSS is measured in fresh child processes (VmHWM from /proc/self/status), so each figure is
/// that mode's own high-water mark and not the parent's.
enum XMLParseBenchmark {
    static func main(_ arguments: [String]) {
        if let index = arguments.firstIndex(of: "--child") {
            child(Array(arguments[(index + 1)...]))
            return
        }
        let megabytes = option(arguments, "--megabytes").flatMap(Int.init) ?? 100
        let runs = option(arguments, "--runs").flatMap(Int.init) ?? 3
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("xml-parse-\(getpid())")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { if !arguments.contains("--keep") { try? FileManager.default.removeItem(at: directory) } }
        let file = directory.appendingPathComponent("gldetail-query.xml")

        let (bytes, rows) = generate(to: file, megabytes: megabytes)
        let mb = Double(bytes) / 1_000_000
        print(String(format: "file: %@ (%.1f MB, %d GLDETAIL rows)", file.path, mb, rows))

        // Interleaved (xmllint, in memory, streamed; repeat) so load from other processes falls on all
        // three alike; medians, and CPU time beside wall time because CPU time barely moves with load.
        print("load average before: \(loadAverage())")
        var xmllint: [Timing] = [], memory: [Timing] = [], streamed: [Timing] = []
        for run in 1...max(1, runs) {
            xmllint.append(runXmllint(file))
            memory.append(parseInMemory(file, rows: rows))
            streamed.append(parseStreaming(file, rows: rows))
            print(String(format: "run %d: xmllint %.3f s (cpu %.3f)  in memory %.3f s (cpu %.3f)  streamed %.3f s (cpu %.3f)", run,
                         xmllint[run - 1].wall, xmllint[run - 1].cpu, memory[run - 1].wall, memory[run - 1].cpu, streamed[run - 1].wall, streamed[run - 1].cpu))
        }
        print("load average after:  \(loadAverage())")
        let reference = Timing.median(xmllint)
        func line(_ name: String, _ timing: Timing) {
            print(String(format: "%@ %7.3f s  %7.1f MB/s  %9.0f rows/s  %.2f× xmllint   |  cpu %7.3f s  %7.1f MB/s  %9.0f rows/s  %.2f× xmllint",
                         name as NSString, timing.wall, mb / timing.wall, Double(rows) / timing.wall, reference.wall / timing.wall,
                         timing.cpu, mb / timing.cpu, Double(rows) / timing.cpu, reference.cpu / timing.cpu))
        }
        print("median of \(runs) runs (wall clock | CPU time):")
        line("xmllint --stream --noout    ", reference)
        line("reader, body in memory      ", Timing.median(memory))
        line("reader, streamed from file  ", Timing.median(streamed))

        print("peak RSS (VmHWM, fresh child process each):")
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).path
        for mode in ["pages", "stream"] {
            for pageRows in [100, 1000] {
                let output = runChild(executable, ["xml-parse", "--child", mode, file.path, String(pageRows), String(rows)])
                print("  \(mode == "pages" ? "client path: page bodies of" : "whole file streamed, batches of") \(pageRows) rows: \(output)")
            }
        }
        let baseline = runChild(executable, ["xml-parse", "--child", "baseline", file.path, "0", "0"])
        print("  process baseline (no parsing): \(baseline)")
    }

    // MARK: - Modes

    /// Both modes check the row count after timing, so a fast but wrong reader cannot post a figure.
    private static func parseInMemory(_ file: URL, rows: Int) -> Timing {
        let data = try! Data(contentsOf: file)
        var count = 0
        let timing = measure {
            _ = try! IntacctResponseReader().read(data) { _, _ in count += 1 }
        }
        precondition(count == rows, "read \(count) rows, expected \(rows)")
        return timing
    }

    private static func parseStreaming(_ file: URL, rows: Int) -> Timing {
        var count = 0
        let timing = measure {
            let handle = fopen(file.path, "rb")!
            defer { fclose(handle) }
            _ = try! IntacctResponseReader().read(streaming: { buffer in
                fread(buffer.baseAddress, 1, buffer.count, handle)
            }, rowHandler: { _, _ in count += 1 })
        }
        precondition(count == rows, "streamed \(count) rows, expected \(rows)")
        return timing
    }

    private static func runXmllint(_ file: URL) -> Timing {
        measure(children: true) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/xmllint")
            process.arguments = ["--stream", "--noout", file.path]
            try! process.run()
            process.waitUntilExit()
        }
    }

    /// `--child <pages|stream|baseline> <file> <pageRows> <totalRows>`: prints "<VmHWM> (<pages> pages)".
    private static func child(_ arguments: [String]) {
        let mode = arguments[0], file = arguments[1]
        let pageRows = Int(arguments[2])!, totalRows = Int(arguments[3])!
        var pages = 0
        switch mode {
        case "pages":
            // What IntacctClient does per request: the whole body in memory, rows decoded eagerly.
            var start = 0
            while start < totalRows {
                let count = min(pageRows, totalRows - start)
                let body = Data(pageDocument(start: start, count: count, total: totalRows).utf8)
                let response = try! IntacctResponseReader().read(body)
                let page = IntacctPage(object: "GLDETAIL", rows: response.results[0].rows, totalCount: totalRows,
                                       offset: start, numRemaining: totalRows - start - count)
                precondition(page.rows.count == count)
                start += count
                pages += 1
            }
        case "stream":
            let handle = fopen(file, "rb")!
            var batch: [IntacctRow] = []
            batch.reserveCapacity(pageRows)
            _ = try! IntacctResponseReader().read(streaming: { buffer in
                fread(buffer.baseAddress, 1, buffer.count, handle)
            }, rowHandler: { _, row in
                batch.append(row)
                if batch.count == pageRows {
                    pages += 1
                    batch.removeAll(keepingCapacity: true)
                }
            })
            fclose(handle)
        default:
            break
        }
        print("\(peakRSS()) (\(pages) pages)")
    }

    // MARK: - Data

    private static func generate(to file: URL, megabytes: Int) -> (bytes: Int, rows: Int) {
        _ = FileManager.default.createFile(atPath: file.path, contents: nil)
        let handle = try! FileHandle(forWritingTo: file)
        defer { try? handle.close() }
        let target = megabytes * 1_000_000
        // Row count first (rows are near-constant size), so the header's totalcount is right.
        let sample = row(0)
        let rows = max(1, target / sample.utf8.count)
        var written = 0
        var chunk = header(count: rows, total: rows, offset: 0)
        for index in 0..<rows {
            chunk += row(index)
            if chunk.utf8.count > 1 << 20 {
                written += chunk.utf8.count
                handle.write(Data(chunk.utf8))
                chunk = ""
            }
        }
        chunk += footer
        written += chunk.utf8.count
        handle.write(Data(chunk.utf8))
        return (written, rows)
    }

    private static func pageDocument(start: Int, count: Int, total: Int) -> String {
        var text = header(count: count, total: total, offset: start)
        for index in start..<start + count { text += row(index) }
        return text + footer
    }

    private static func header(count: Int, total: Int, offset: Int) -> String {
        #"<?xml version="1.0" encoding="UTF-8"?><response><control><status>success</status><senderid>demo-sender</senderid><controlid>bench</controlid><uniqueid>false</uniqueid><dtdversion>3.0</dtdversion></control><operation><authentication><status>success</status><userid>api_user</userid><companyid>DEMO</companyid><locationid>E100</locationid><sessiontimestamp>2026-01-31T12:00:00+00:00</sessiontimestamp><sessiontimeout>2026-01-31T13:00:00+00:00</sessiontimeout></authentication><result><status>success</status><function>query</function><controlid>f-1</controlid>"#
            + #"<data listtype="GLDETAIL" totalcount="\#(total)" offset="\#(offset)" count="\#(count)" numremaining="\#(total - offset - count)">"#
    }

    private static let footer = "</data></result></operation></response>"

    private static let accounts = [("1000", "Cash"), ("1200", "Accounts Receivable"), ("2000", "Accounts Payable"),
                                   ("4000", "Revenue - Services"), ("6100", "Office Supplies & Equipment"), ("6400", "Travel <domestic>")]

    private static func row(_ index: Int) -> String {
        let batch = 3000 + index / 8
        let entry = 50_000 + index
        let line = index % 8 + 1
        let (accountNo, title) = accounts[index % accounts.count]
        let amount = String(format: "%d.%02d", (index * 7919) % 250_000, index % 100)
        let debit = line % 2 == 1
        let day = index % 28 + 1
        return "<GLDETAIL><RECORDNO>\(batch)-\(entry)-\(line)--accrual</RECORDNO><BATCHKEY>\(batch)</BATCHKEY>"
            + "<BATCH_DATE>01/\(pad(day))/2026</BATCH_DATE><BATCH_NO>\(batch - 2000)</BATCH_NO>"
            + "<BATCH_TITLE>Month-end accrual \(batch) &amp; reclass</BATCH_TITLE><MODULEKEY>2.GL</MODULEKEY>"
            + "<LINE_NO>\(line)</LINE_NO><ENTRY_DATE>01/\(pad(day))/2026</ENTRY_DATE><ACCOUNTNO>\(accountNo)</ACCOUNTNO>"
            + "<ACCOUNTTITLE>\(title.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;"))</ACCOUNTTITLE>"
            + "<DEPARTMENTID>D-\(100 + index % 40)</DEPARTMENTID><LOCATIONID>E100</LOCATIONID><CLASSID></CLASSID>"
            + "<PROJECTID>\(index % 3 == 0 ? "P-\(index % 500)" : "")</PROJECTID><VENDORID>V-\(pad5(index % 900))</VENDORID>"
            + "<CURRENCY>USD</CURRENCY><DEBITAMOUNT>\(debit ? amount : "0.00")</DEBITAMOUNT>"
            + "<CREDITAMOUNT>\(debit ? "0.00" : amount)</CREDITAMOUNT><AMOUNT>\(amount)</AMOUNT>"
            + "<GLENTRYKEY>\(entry)</GLENTRYKEY><STATE>Posted</STATE><MEGAENTITYID>E100</MEGAENTITYID>"
            + "<WHENMODIFIED>01/\(pad(day))/2026 \(pad(index % 24)):\(pad(index % 60)):\(pad(index * 7 % 60))</WHENMODIFIED></GLDETAIL>"
    }

    private static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
    private static func pad5(_ value: Int) -> String { String(repeating: "0", count: max(0, 5 - String(value).count)) + String(value) }

    // MARK: - Measuring

    /// Wall-clock and CPU seconds of one run.
    private struct Timing {
        var wall: Double
        var cpu: Double

        static func median(_ runs: [Timing]) -> Timing {
            func middle(_ values: [Double]) -> Double {
                let sorted = values.sorted()
                return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
            }
            return Timing(wall: middle(runs.map(\.wall)), cpu: middle(runs.map(\.cpu)))
        }
    }

    /// Times `body`; CPU time is this process's, or with `children` that of the children it waited for.
    private static func measure(children: Bool = false, _ body: () -> Void) -> Timing {
        let cpuBefore = cpuSeconds(children: children)
        let clock = ContinuousClock()
        let elapsed = clock.measure(body)
        return Timing(wall: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
                      cpu: cpuSeconds(children: children) - cpuBefore)
    }

    private static func cpuSeconds(children: Bool) -> Double {
        var usage = rusage()
        _ = children ? getrusage(RUSAGE_CHILDREN.rawValue, &usage) : getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    private static func loadAverage() -> String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?"
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    private static func peakRSS() -> String {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? "VmHWM: ?"
        return line.dropFirst("VmHWM:".count).trimmingCharacters(in: .whitespaces)
    }

    private static func runChild(_ executable: String, _ arguments: [String]) -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try! process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    private static func option(_ arguments: [String], _ name: String) -> String? {
        guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
        return arguments[index + 1]
    }
}
