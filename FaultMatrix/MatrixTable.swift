/// The matrix as one table: scenario, expected records, loaded, missing, duplicates in `_current`,
/// unexpected and stale rows, rows beyond one per version in the base tables, dead letters, money,
/// poll runs, wall time, verdict; notes underneath, with each scenario's base tables.
enum MatrixTable {
    static func render(_ results: [ScenarioResult], totalSeconds: Int, scale: Int, timezone: String) -> String {
        var rows = [["scenario", "expected", "loaded", "missing", "duplicates", "unexpected", "stale", "base dups", "dead letters", "money", "polls", "wall", ""]]
        for r in results {
            let a = r.audit
            func figure(_ value: Int?) -> String { value.map(String.init) ?? "-" }
            rows.append([
                r.name, figure(a?.expected), figure(a?.loaded), figure(a?.missing), figure(a?.duplicates),
                figure(a?.unexpected), figure(a?.stale), figure(a?.baseDuplicates), figure(a?.deadLetterKeys.count),
                a.map { $0.moneyDifferences.isEmpty ? "equal" : "DIFFERENT" } ?? "-",
                String(r.polls), duration(r.seconds), r.passed ? "ok" : "FAILED",
            ])
        }
        let widths = (0..<rows[0].count).map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = rows.map { cells in
            cells.enumerated().map { column, cell in
                let pad = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 || column == cells.count - 1 ? cell + pad : pad + cell
            }.joined(separator: "  ")
        }
        lines.insert("Fault matrix (scale \(scale), \(Fleet.objects.count) objects, sandbox time zone \(timezone); every scenario on fresh services; per-key audit of the _current views; "
                     + "base tables: rows against distinct (key, content hash, deleted, source modified))", at: 0)
        let notes = results.filter { $0.failure != nil || !$0.notes.isEmpty || !($0.audit?.baseTables.isEmpty ?? true) }
        if !notes.isEmpty { lines.append("") }
        for r in notes {
            if let failure = r.failure { lines.append("\(r.name): FAILED: \(failure)") }
            if let tables = r.audit?.baseTables, !tables.isEmpty {
                lines.append("\(r.name): base tables: \(tables.map(\.description).joined(separator: ", "))")
            }
            for note in r.notes { lines.append("\(r.name): \(note)") }
        }
        let failed = results.filter { !$0.passed }.map(\.name)
        lines.append("")
        lines.append(failed.isEmpty
            ? "ALL \(results.count) SCENARIOS RECONCILED: zero missing, zero duplicates in views and base tables (\(duration(totalSeconds)) in all)."
            : "FAILED: \(failed.joined(separator: ", ")) (\(duration(totalSeconds)) in all).")
        return lines.joined(separator: "\n")
    }

    static func duration(_ seconds: Int) -> String { "\(seconds / 60)m\(String(format: "%02d", seconds % 60))s" }
}
