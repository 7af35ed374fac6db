#pragma once
// How `rtprov write` shows its boards: a live block of one redrawn line per board on a terminal,
// plain lines when stdout is not a terminal, or JSON lines (docs/write-json.md) with --json.

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "rtprov/write/events.hpp"

namespace rtprov::cli {

class WriteDisplay {
  public:
    enum class Mode { Live, Plain, Json };
    // Live when stdout is a terminal, else Plain; Json with --json.
    static Mode mode_for(bool json);
    WriteDisplay(Mode mode, bool quiet) : mode_(mode), quiet_(quiet) {}

    // Shows one event (calls are serialized by the runner).
    void operator()(const write::Event& event);
    // A JSON line of the command's own (sim-boot, summary), or its text form.
    void extra(const nlohmann::json& doc, const std::string& text);
    // Removes the live block: every board is done (their result lines stay).
    void close();

  private:
    struct Board {
        std::string op = "connecting";
        std::uint64_t done = 0;
        std::uint64_t total = 0;
        double rate = 0;
        std::optional<double> eta;
        std::string state;  // outcome once known
    };
    void print_above(const std::string& text);  // a line above the live block (or plain)
    void redraw(bool force);
    std::string board_line(const std::string& name, const Board& b) const;

    Mode mode_;
    bool quiet_;
    std::vector<std::string> order_;  // boards in the order they started
    std::map<std::string, Board> boards_;
    std::size_t drawn_ = 0;  // lines of the live block on screen
    bool closed_ = false;
    std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace rtprov::cli
