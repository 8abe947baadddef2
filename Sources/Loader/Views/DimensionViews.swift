/// Views that let GL amounts be rolled up in SQL by cost-center hierarchy and account category.
///
/// - `department_hierarchy`: one row per current department with `path` (`TOP > REGION > TEAM`, by
///   DEPARTMENTID), `title_path`, `depth` (0 for a top-level department) and its top-level ancestor.
///   Built with a recursive CTE (BigQuery supports `WITH RECURSIVE`; so does the emulator), bounded at
///   `maxDepth` levels so a cycle in PARENTKEY cannot run away.
/// - `glentry_rollup`: current GL entries with the signed amount (`amount * tr_type`), their
///   department's hierarchy and their account's title, type and category (from `glaccount_current`).
public enum DimensionViews {
    public static let departmentHierarchy = "department_hierarchy"
    public static let glEntryRollup = "glentry_rollup"
    static let maxDepth = 32

    /// A view, and the tables and views its SQL reads: BigQuery refuses the definition until they all exist.
    public struct View: Sendable {
        public var name: String
        public var requires: [String]
        public var sql: @Sendable (_ qualify: (String) -> String) -> String
    }

    public static let all: [View] = [
        View(name: departmentHierarchy, requires: ["department_current"]) { q in
            """
            WITH RECURSIVE tree AS (
              SELECT recordno, departmentid, title, parentkey, 0 AS depth,
                     CAST(departmentid AS STRING) AS path, CAST(title AS STRING) AS title_path,
                     departmentid AS top_departmentid, title AS top_title
              FROM \(q("department_current")) WHERE parentkey IS NULL
              UNION ALL
              SELECT d.recordno, d.departmentid, d.title, d.parentkey, t.depth + 1,
                     CONCAT(t.path, ' > ', d.departmentid), CONCAT(t.title_path, ' > ', d.title),
                     t.top_departmentid, t.top_title
              FROM \(q("department_current")) d JOIN tree t ON d.parentkey = t.recordno
              WHERE t.depth < \(maxDepth)
            )
            SELECT recordno, departmentid, title, parentkey, depth, path, title_path, top_departmentid, top_title FROM tree
            """
        },
        View(name: glEntryRollup, requires: ["glentry_current", "glaccount_current", departmentHierarchy]) { q in
            """
            SELECT e._entity AS entity, e.recordno, e.batchkey, e.entry_date, e.accountno, a.title AS account_title,
                   a.accounttype, a.normalbalance, a.category AS account_category, e.departmentid,
                   h.path AS department_path, h.depth AS department_depth, h.top_departmentid,
                   e.locationid, e.classid, e.projectid, e.vendorid, e.currency, e.tr_type, e.amount,
                   e.amount * e.tr_type AS signed_amount, e.state
            FROM \(q("glentry_current")) e
            LEFT JOIN \(q("glaccount_current")) a ON a.accountno = e.accountno
            LEFT JOIN \(q(departmentHierarchy)) h ON h.departmentid = e.departmentid
            """
        },
    ]

    /// The views that read `table`'s `_current` view, directly or through another of these views, in an
    /// order that creates a view before the views that read it (so they are (re)created when it is prepared).
    public static func dependents(of table: String) -> [View] {
        var reached: Set<String> = [table + "_current"]
        var found: [View] = []
        for view in all where view.requires.contains(where: reached.contains) {
            reached.insert(view.name)
            found.append(view)
        }
        return found
    }
}
