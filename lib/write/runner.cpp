#include "rtprov/write/runner.hpp"

#include <map>
#include <memory>
#include <mutex>
#include <thread>

namespace rtprov::write {

namespace {

// Serializes sink calls from the board threads.
class SharedSink {
  public:
    explicit SharedSink(const EventSink& sink) : sink_(sink) {}
    EventSink sink() {
        return [this](const Event& e) {
            std::lock_guard lock(mutex_);
            if (sink_)
                sink_(e);
        };
    }

  private:
    const EventSink& sink_;
    std::mutex mutex_;
};

}  // namespace

std::vector<BoardResult> write_boards(const Job& job, const WriteOptions& options,
                                      std::span<const Port> ports, const EventSink& sink,
                                      const std::atomic<bool>* stop) {
    SharedSink shared(sink);
    const EventSink serialized = shared.sink();
    std::vector<BoardResult> results(ports.size());
    std::vector<std::thread> threads;
    threads.reserve(ports.size());
    for (std::size_t i = 0; i < ports.size(); ++i) {
        threads.emplace_back(
            [&, i] { results[i] = write_board(job, options, ports[i], serialized, stop); });
    }
    for (auto& t : threads)
        t.join();
    return results;
}

std::vector<BoardResult> watch_boards(const Job& job, const WriteOptions& options,
                                      const WatchSource& source, const EventSink& sink,
                                      const std::atomic<bool>& stop) {
    SharedSink shared(sink);
    const EventSink serialized = shared.sink();

    struct Board {
        Port port;
        BoardResult result;
        std::atomic<bool> done{false};
    };
    struct Slot {
        std::string identity;  // the device last provisioned at this URI
        std::shared_ptr<Board> board;
    };
    std::vector<std::shared_ptr<Board>> boards;  // in start order
    std::vector<std::thread> threads;
    std::map<std::string, Slot> slots;

    while (!stop.load()) {
        for (const std::string& uri : source.candidates()) {
            const std::optional<std::string> id = source.identity(uri);
            auto it = slots.find(uri);
            if (!id) {
                // Unplugged: once its board is done, the next device there is a new one.
                if (it != slots.end() && it->second.board->done.load())
                    slots.erase(it);
                continue;
            }
            if (it != slots.end() && (it->second.identity == *id || !it->second.board->done.load()))
                continue;
            auto board = std::make_shared<Board>();
            board->port = source.make_port(uri);
            slots[uri] = Slot{*id, board};
            boards.push_back(board);
            threads.emplace_back([&job, &options, &serialized, &stop, board] {
                board->result = write_board(job, options, board->port, serialized, &stop);
                board->done.store(true);
            });
        }
        for (auto left = source.poll; left.count() > 0 && !stop.load();
             left -= std::chrono::milliseconds(20)) {
            std::this_thread::sleep_for(std::min(left, std::chrono::milliseconds(20)));
        }
    }
    for (auto& t : threads)
        t.join();
    std::vector<BoardResult> results;
    for (const auto& b : boards)
        results.push_back(b->result);
    return results;
}

}  // namespace rtprov::write
