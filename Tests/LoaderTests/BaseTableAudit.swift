import Foundation
import XCTest
@testable import Loader

/// What a base table holds against what was published: rows, distinct versions (key, content hash,
/// deleted flag, source modified time) and the published messages of its object.
struct BaseTableAudit: CustomStringConvertible {
    var table: String
    var rows: Int64
    var versions: Int64
    var published: Int

    var duplicates: Int64 { rows - versions }
    var description: String { "\(table): \(rows) rows, \(versions) distinct versions, \(published) published" }

    /// Audits every object table of `company`.
    static func all(_ client: BigQueryClient, _ company: PublishedCompany) async throws -> [BaseTableAudit] {
        var audits: [BaseTableAudit] = []
        for object in company.objects + company.topObjects {
            let table = object.lowercased()
            let published = company.messages.filter { $0.topic.hasSuffix(".\(table)") }.count
            guard try await client.table(table) != nil else {
                audits.append(BaseTableAudit(table: table, rows: 0, versions: 0, published: published))
                continue
            }
            let qualified = client.qualified(table)
            let result = try await client.query("""
                SELECT (SELECT COUNT(*) FROM \(qualified)) AS n,
                       (SELECT COUNT(*) FROM (SELECT DISTINCT _key, _content_sha256, _deleted, _source_modified_at FROM \(qualified))) AS versions
                """)
            audits.append(BaseTableAudit(table: table, rows: result.rows.first?["n"].int64 ?? -1,
                                         versions: result.rows.first?["versions"].int64 ?? -1, published: published))
        }
        return audits
    }

    /// Fails the test unless every table holds each published version exactly once.
    static func assertEachVersionOnce(_ client: BigQueryClient, _ company: PublishedCompany,
                                      file: StaticString = #filePath, line: UInt = #line) async throws {
        for audit in try await all(client, company) {
            XCTAssertEqual(audit.duplicates, 0, "duplicate rows in \(audit)", file: file, line: line)
            XCTAssertEqual(audit.rows, Int64(audit.published), "every published version once in \(audit)", file: file, line: line)
        }
    }
}
