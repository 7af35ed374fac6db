#pragma once
// `rtprov write`'s station: records every board attempt in the records database as it goes (an
// EventSink stage: the row is written when the board starts, after every step and with its
// result, before the event is passed on, so a result that was shown is on disk), and gives the
// board engine the station's decisions: resume an interrupted board, admit a board (production
// quota, the same board at two ports), reserve its per-board values.

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "rtprov/records/records.hpp"
#include "rtprov/write/board_data.hpp"
#include "rtprov/write/job.hpp"

namespace rtprov::records {

class Station {
  public:
    // `csv`: the station's CSV file of per-board values (write --board-data), when given.
    // `db` and `job` outlive the station.
    Station(Database& db, const write::Job& job, AttemptContext context,
            std::optional<write::CsvTable> csv, write::EventSink next);

    // Before any board is touched: marks the attempts of killed processes "interrupted", checks
    // the CSV file against the plan and that the package's quota is not used up. Throws
    // Error(Usage).
    void check_job();
    // Sets options.was_interrupted, admit and reserve to the station's.
    void install(write::WriteOptions& options);
    // The sink stage (the runner serializes calls). A record that cannot be written is reported
    // by a Warning event; the board goes on.
    void operator()(const write::Event& event);

  private:
    std::int64_t attempt_of(const std::string& board);

    Database& db_;
    const write::Job& job_;
    AttemptContext context_;
    std::optional<write::CsvTable> csv_;
    write::EventSink next_;
    std::mutex mutex_;
    std::map<std::string, std::int64_t> attempts_;  // board -> its current attempt
};

}  // namespace rtprov::records
