#pragma once
// Many boards at once: one thread per board, so N boards take about as long as one; one board's
// failure never stops or touches another. Watch mode provisions every device that appears on a
// production line until it is stopped.

#include <atomic>
#include <chrono>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "rtprov/write/board.hpp"

namespace rtprov::write {

// Writes every port in parallel (one thread each) and returns the results in port order. Calls
// to `sink` are serialized.
std::vector<BoardResult> write_boards(const Job& job, const WriteOptions& options,
                                      std::span<const Port> ports, const EventSink& sink,
                                      const std::atomic<bool>* stop = nullptr);

// Where watch mode looks for devices.
struct WatchSource {
    // The port URIs to watch (called every poll: a --ports-from file may grow).
    std::function<std::vector<std::string>()> candidates;
    // What is plugged in at `uri` now (e.g. the pty or device node it resolves to), or nullopt
    // when nothing is. A new identity at a known URI is a new board.
    std::function<std::optional<std::string>(const std::string& uri)> identity;
    std::function<Port(const std::string& uri)> make_port;
    std::chrono::milliseconds poll{200};
};

// Watch mode: polls `source`, starts a board as soon as a device appears (each appearance once),
// until `stop` is true; then waits for the boards under way and returns every result in the
// order they started. Calls to `sink` are serialized.
std::vector<BoardResult> watch_boards(const Job& job, const WriteOptions& options,
                                      const WatchSource& source, const EventSink& sink,
                                      const std::atomic<bool>& stop);

}  // namespace rtprov::write
