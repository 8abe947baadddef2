import Synchronization

/// Canned answers in order, then the last one forever.
final class AnswerQueue: Sendable {
    private let answers: Mutex<[(Int, String)]>

    init(_ answers: [(Int, String)]) { self.answers = Mutex(answers) }

    func next() -> (Int, String) {
        answers.withLock { $0.count > 1 ? $0.removeFirst() : $0[0] }
    }
}
