#pragma once
// The engine behind write_board (internal to lib/write): one board, one link, the plan's steps
// in order. board.cpp holds the link (connect, retry, re-open, the board's identity) and the
// step loop, board_flash.cpp the memory steps, board_fuses.cpp the fuse steps,
// board_values.cpp the per-board values.

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "rtprov/pkg/manifest.hpp"
#include "rtprov/proto/mboot_client.hpp"
#include "rtprov/proto/sdp_client.hpp"
#include "rtprov/write/board.hpp"
#include "rtprov/write/fuse_plan.hpp"
#include "rtprov/write/sectors.hpp"

namespace rtprov::write::detail {

using Clock = std::chrono::steady_clock;

// Thrown when the operator stopped the run (the board ends Outcome::Interrupted).
class Interrupted : public Error {
  public:
    Interrupted() : Error(ErrorCode::Device, "interrupted: the run was stopped") {}
};

// Thrown when the station refuses the board before anything changed on it (Outcome::Refused).
class Refused : public Error {
  public:
    explicit Refused(const Error& why) : Error(why) {}
};

// MCUBoot statuses worth another try: the flash or the link hiccuped, the command was right.
bool retryable_status(std::uint32_t status);

// A configure-memory step with a BEE option block (tag 0xE: OTPMK encrypt-on-write).
bool is_bee_option(const pkg::WriteStep& s);

// What a step reports when it ends well.
struct StepDone {
    std::string detail;
    bool skipped = false;
};

class BoardWriter;

// Where a closed part finds a boot image: a boot device's memory id, its first byte in the
// flashloader's addresses, how far an image may reach, and the ROM's layout of it.
struct BootSlot {
    std::uint32_t memory_id = 0;
    std::uint32_t base = 0;
    std::uint64_t size = 0;
    const device::BootLayout* layout = nullptr;
};

// Emits throttled Progress events for one step.
class Progress {
  public:
    Progress(BoardWriter& w, std::uint64_t total);
    void set(std::uint64_t done);
    void add(std::uint64_t n) { set(done_ + n); }
    std::uint64_t done() const { return done_; }

  private:
    BoardWriter& w_;
    std::uint64_t total_;
    std::uint64_t done_ = 0;
    std::uint64_t reported_ = 0;
    Clock::time_point start_ = Clock::now();
    Clock::time_point last_{};
};

class BoardWriter {
  public:
    BoardWriter(const Job& job, const WriteOptions& options, const Port& port,
                const EventSink& sink, const std::atomic<bool>* stop);
    BoardResult run();

    // Events (Progress uses them too).
    void emit(Event e);
    Event event(EventKind kind) const;
    void warn(const std::string& message);

  private:
    // --- link (board.cpp) ---
    void connect();
    bool probe_rom();
    bool probe_flashloader(std::chrono::milliseconds timeout);
    void load_flashloader();
    void wait_for_flashloader();
    proto::McuBootClient& mb();
    // Opens the port; once the board was seen there, a port that cannot be opened is a board
    // that vanished.
    void open_port();
    // The UID as the boot ROM shows it (OCOTP shadows over SDP), when it lets us read them.
    std::optional<std::string> rom_uid(proto::SdpClient& sdp);
    // The board at the port must be the one seen before (its UID): else Error(Verification).
    void expect_uid(const std::string& uid, const char* when);
    // After (re)connecting to a flashloader: reads the UID and checks it.
    void check_identity();
    // Runs fn, retrying link failures (after re-opening the port) and retryable device statuses
    // with exponential backoff, at most options.retries more times.
    template <typename Fn>
    auto retry(std::string_view what, Fn&& fn);
    void backoff(unsigned attempt, const std::string& reason);
    void check_stop() const;
    void run_step(std::size_t index, std::string op, const std::function<StepDone()>& body);
    void finish(Outcome outcome);
    // The outcome of a board whose every step went well: Passed, or PassedUnfused when words of
    // the package's fuse plan were left unburned without --no-fuses.
    Outcome written_outcome() const;

    // --- identity and booting (board_checks.cpp) ---
    // The part at the port must be the package's: the boot ROM's USB identity where the link
    // shows one. Throws Error(Verification) naming both parts; returns what it found.
    std::string check_rom_identity();
    // After the flashloader configured the boot device: its size must hold the images.
    void check_memory_size(const pkg::WriteStep& configured);
    // After the reset step: the simulator's boot check, or --boot-check on hardware. Throws
    // Error(Verification) when the board does not boot.
    StepDone boot_check();

    // --- memory (board_flash.cpp) ---
    StepDone configure(const pkg::WriteStep& s);
    // configure-memory 0xF000000F: the flashloader writes the FCB; checked by reading its tag.
    StepDone program_fcb(const pkg::WriteStep& s);
    void apply_configuration(const pkg::WriteStep& s);
    StepDone erase(const pkg::WriteStep& s);
    StepDone write(const pkg::WriteStep& s);
    StepDone verify(const pkg::WriteStep& s);
    StepDone reset();
    // key-blob (board_key_blob.cpp): the part wraps the DEK into its blob, written and read back.
    StepDone key_blob(const pkg::WriteStep& s);
    std::uint32_t sector_size(std::uint32_t memory_id);
    Bytes read_back(std::uint32_t memory_id, std::uint32_t address, std::uint32_t length,
                    Progress& progress);
    const Bytes& file(const std::string& path) const;
    const pkg::WriteStep* write_step_for(const pkg::WriteStep& erase) const;

    // --- fuses (board_fuses.cpp) ---
    StepDone read_fuses();
    StepDone program_fuses(const pkg::WriteStep& s);
    StepDone close_part();
    StepDone lock_fuses(const pkg::WriteStep& s);

    // --- closing (board_close.cpp) ---
    // The boot devices the package writes (images[], write and per-board flash steps; FlexSPI
    // NOR when none): each must hold an image that verifies before the part is closed. Throws
    // Error(Verification) for a memory no boot image can be on.
    std::vector<BootSlot> boot_slots() const;
    // Reads the boot image of `slot` back from the part (IVT, boot data, then the boot data's
    // length from the device's first byte) and HAB-verifies it against `fuses`: the first
    // failed check, or nullopt. `found` says what was read.
    std::optional<std::string> boot_image_problem(const BootSlot& slot, const hab::SrkHash& fuses,
                                                  std::string& found);
    // Every boot slot's image verifies against `fuses`, else fuse_failure(close_row) with
    // Error(Verification) "closing refused: the boot image read back from the part ...".
    // Returns what was checked.
    std::string check_boot_images(FuseRow& close_row, const hab::SrkHash& fuses);

    // --- per-board values (board_values.cpp) ---
    // At read-fuses: the station's admission, the values reserved and encoded, their fuse rows.
    void admit_board();
    void prepare_values(const FuseReader& read);
    StepDone board_value(const pkg::WriteStep& s);
    StepDone value_to_flash(const pkg::BoardData& d, const Bytes& bytes, BoardValue& v);
    StepDone value_to_fuses(const pkg::BoardData& d, BoardValue& v);
    std::uint32_t read_fuse(std::uint32_t index);
    // The value a row burns: its target, or a secret word's value from the job's secrets
    // (Error(Usage) when not open). Never put into the row or a message.
    std::uint32_t fuse_target(const FuseRow& row) const;
    void burn(FuseRow& row);

    // --- BEE with the OTPMK (board_bee.cpp) ---
    // The configure-memory step with the OTPMK option block: applied once, then the header the
    // flashloader wrote at 0x400 is read back and must look like one (Error(Verification)).
    StepDone configure_bee(const pkg::WriteStep& s);
    // The FACs the flashloader encrypts in the image `write` writes (from the BEE option step
    // before it), empty when none.
    std::vector<Range> otpmk_facs(const pkg::WriteStep& write) const;
    // Makes `want` (the file's bytes at `address`) equal to `back` inside `facs`: what verify
    // cannot compare. Returns the bytes left out.
    std::uint64_t skip_facs(const std::vector<Range>& facs, std::uint32_t address, Bytes& want,
                            ByteView back) const;
    [[noreturn]] void fuse_failure(const FuseRow& failed, ErrorCode code, const std::string& why);

    const Job& job_;
    const WriteOptions& o_;
    const Port& port_;
    const EventSink& sink_;
    const std::atomic<bool>* stop_;
    BoardResult r_;
    Clock::time_point start_ = Clock::now();
    std::size_t step_index_ = 0;
    std::string step_op_;

    std::unique_ptr<transport::Transport> t_;
    std::unique_ptr<proto::McuBootClient> mb_;
    bool broken_ = false;                       // the link failed: re-open before the next try
    bool seen_ = false;                         // the port opened once: the board was there
    std::optional<std::string> expected_uid_;   // the board's UID, once known (ROM or fuses)
    std::map<std::string, Bytes> value_bytes_;  // per-board values by step name
    bool hab_closed_ = false;
    std::string rom_identity_;                // what the ROM showed of the part (for the detail)
    std::string connect_detail_;              // what connect() found and did, for the step's detail
    std::vector<pkg::WriteStep> configured_;  // configure-memory steps done (redone on re-open)
    bool bee_on_ = false;  // the flashloader encrypts with the OTPMK (lost on a re-open)
    std::map<std::uint32_t, std::uint32_t> sector_sizes_;
    bool compare_ = false;  // compare sectors first (--skip-unchanged or resuming)
    // Sector plans made by erase for the write and verify steps of the same image.
    std::map<std::pair<std::uint32_t, std::uint32_t>, std::vector<SectorPlan>> sectors_;
};

// Clears the client's progress callback when an attempt ends (it points into the caller's
// frame).
struct ProgressReset {
    std::unique_ptr<proto::McuBootClient>& mb;
    ~ProgressReset() {
        if (mb)
            mb->set_progress(nullptr);
    }
};

template <typename Fn>
auto BoardWriter::retry(std::string_view what, Fn&& fn) {
    for (unsigned attempt = 1;; ++attempt) {
        check_stop();
        ProgressReset clear{mb_};
        try {
            if (broken_) {
                broken_ = false;
                connect();
                if (bee_on_) {
                    // A new flashloader session writes in the clear: the FACs would hold
                    // plaintext the BEE then garbles.
                    throw Error(ErrorCode::Verification,
                                fmt::format("{}: the link was lost after the flashloader was "
                                            "set to encrypt with the OTPMK; that setting is "
                                            "gone: write the board again",
                                            what));
                }
                for (const auto& s : configured_)
                    apply_configuration(s);
            }
            return fn();
        } catch (const Interrupted&) {
            throw;
        } catch (proto::McuBootStatusError& e) {
            if (attempt > o_.retries || !retryable_status(e.status())) {
                e.with_context(attempt > 1
                                   ? fmt::format("{} (gave up after {} attempts)", what, attempt)
                                   : std::string(what));
                throw;
            }
            // Not configured any more: the part was reset under us; connect from scratch.
            if (e.status() == static_cast<std::uint32_t>(proto::mboot::Status::MemoryNotConfigured))
                broken_ = true;
            backoff(attempt, fmt::format("{}: {}", what, e.what()));
        } catch (Error& e) {
            if (e.code() != ErrorCode::Device || attempt > o_.retries) {
                e.with_context(attempt > 1
                                   ? fmt::format("{} (gave up after {} attempts)", what, attempt)
                                   : std::string(what));
                throw;
            }
            broken_ = true;
            backoff(attempt, fmt::format("{}: {}", what, e.what()));
        }
    }
}

}  // namespace rtprov::write::detail
