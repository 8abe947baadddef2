/// Parses readByQuery's string query language: `FIELD >= 'value'`, `= != <> < > <=`, `like`, `not like`,
/// `in (…)`, `not in (…)`, `IS [NOT] NULL`, joined by AND/OR with parentheses and a NOT prefix.
/// Strings are single-quoted with `\'` for an apostrophe; numbers may go bare. Empty means all rows.
struct QueryStringParser {
    private enum Token: Equatable {
        case word(String), string(String), symbol(String), end
    }

    private var tokens: [Token] = []
    private var position = 0

    static func parse(_ text: String) throws -> QueryFilter? {
        var parser = QueryStringParser()
        parser.tokens = try tokenize(text)
        if parser.tokens == [.end] { return nil }
        let filter = try parser.expression()
        guard parser.peek == .end else { throw parser.error("unexpected \(parser.describe(parser.peek))") }
        return filter
    }

    private static func tokenize(_ text: String) throws -> [Token] {
        var tokens: [Token] = []
        let chars = Array(text)
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c.isWhitespace { i += 1; continue }
            if c == "'" {
                var value = ""
                i += 1
                var closed = false
                while i < chars.count {
                    if chars[i] == "\\" && i + 1 < chars.count { value.append(chars[i + 1]); i += 2; continue }
                    if chars[i] == "'" {
                        // SQL-style doubled quote, accepted as well as the documented backslash escape.
                        if i + 1 < chars.count && chars[i + 1] == "'" { value.append("'"); i += 2; continue }
                        closed = true; i += 1; break
                    }
                    value.append(chars[i]); i += 1
                }
                guard closed else { throw QueryError(description2: "Unterminated string in query") }
                tokens.append(.string(value))
            } else if "(),".contains(c) {
                tokens.append(.symbol(String(c))); i += 1
            } else if "<>=!".contains(c) {
                var op = String(c)
                if i + 1 < chars.count && "=>".contains(chars[i + 1]) && !(c == "=" ) { op.append(chars[i + 1]) }
                i += op.count
                tokens.append(.symbol(op))
            } else {
                var word = ""
                while i < chars.count && !chars[i].isWhitespace && !"(),<>=!'".contains(chars[i]) { word.append(chars[i]); i += 1 }
                tokens.append(.word(word))
            }
        }
        tokens.append(.end)
        return tokens
    }

    private var peek: Token { tokens[position] }

    private mutating func next() -> Token {
        let token = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    private func isKeyword(_ token: Token, _ keyword: String) -> Bool {
        if case .word(let w) = token { return w.uppercased() == keyword }
        return false
    }

    private func describe(_ token: Token) -> String {
        switch token {
        case .word(let w): return "'\(w)'"
        case .string(let s): return "string '\(s)'"
        case .symbol(let s): return "'\(s)'"
        case .end: return "end of query"
        }
    }

    private func error(_ text: String) -> QueryError {
        QueryError(description2: "Invalid readByQuery query: \(text)")
    }

    private mutating func expression() throws -> QueryFilter {
        var terms = [try conjunction()]
        while isKeyword(peek, "OR") { _ = next(); terms.append(try conjunction()) }
        return terms.count == 1 ? terms[0] : .or(terms)
    }

    private mutating func conjunction() throws -> QueryFilter {
        var factors = [try factor()]
        while isKeyword(peek, "AND") { _ = next(); factors.append(try factor()) }
        return factors.count == 1 ? factors[0] : .and(factors)
    }

    private mutating func factor() throws -> QueryFilter {
        if isKeyword(peek, "NOT") { _ = next(); return .not(try factor()) }
        if peek == .symbol("(") {
            _ = next()
            let inner = try expression()
            guard next() == .symbol(")") else { throw error("missing ')'") }
            return inner
        }
        return try comparison()
    }

    private mutating func operand() throws -> String {
        switch next() {
        case .string(let s): return s
        case .word(let w) where w.first.map { $0.isNumber || $0 == "-" } ?? false: return w
        case let other: throw error("expected a value, found \(describe(other))")
        }
    }

    private mutating func comparison() throws -> QueryFilter {
        guard case .word(let field) = next() else { throw error("expected a field name") }
        var negated = false
        if isKeyword(peek, "NOT") { _ = next(); negated = true }
        if isKeyword(peek, "LIKE") { _ = next(); return .like(field: field, pattern: try operand(), negated: negated) }
        if isKeyword(peek, "IN") {
            _ = next()
            guard next() == .symbol("(") else { throw error("expected '(' after IN") }
            var values = [try operand()]
            while peek == .symbol(",") { _ = next(); values.append(try operand()) }
            guard next() == .symbol(")") else { throw error("expected ')' after IN list") }
            return .inList(field: field, values: values, negated: negated)
        }
        if negated { throw error("expected LIKE or IN after NOT") }
        if isKeyword(peek, "IS") {
            _ = next()
            var notNull = false
            if isKeyword(peek, "NOT") { _ = next(); notNull = true }
            guard isKeyword(next(), "NULL") else { throw error("expected NULL after IS") }
            return .isNull(field: field, negated: notNull)
        }
        guard case .symbol(let symbol) = next() else { throw error("expected an operator after \(field)") }
        let op: QueryFilter.Comparison
        switch symbol {
        case "=": op = .equal
        case "!=", "<>": op = .notEqual
        case "<": op = .less
        case "<=": op = .lessOrEqual
        case ">": op = .greater
        case ">=": op = .greaterOrEqual
        default: throw error("unknown operator '\(symbol)'")
        }
        return .compare(field: field, op, value: try operand())
    }
}
