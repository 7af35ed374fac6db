// rtprov write: the factory job. Verifies a package, then writes it to every board given, in
// parallel: flashloader over SDP, memory, fuses, reset (lib/write does the work).

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include <fmt/format.h>

#include "cli_errors.hpp"
#include "command.hpp"
#include "package_options.hpp"
#include "rtprov/pkg/package.hpp"
#include "rtprov/pkg/plan_view.hpp"
#include "rtprov/pkg/seal.hpp"
#include "rtprov/records/records.hpp"
#include "rtprov/util/error.hpp"
#include "rtprov/util/file.hpp"
#include "rtprov/util/text.hpp"
#include "rtprov/write/board_log.hpp"
#include "rtprov/write/ports.hpp"
#include "rtprov/write/runner.hpp"
#include "rtprov/write/sim_port.hpp"
#include "write_display.hpp"
#include "write_station.hpp"

namespace rtprov::cli {

namespace {

// SIGINT/SIGTERM: the first stops watching for new boards (and, without watch mode, the boards
// at their next chunk); in watch mode a second one stops the boards under way too.
std::atomic<bool> g_stop_watch{false};
std::atomic<bool> g_stop_boards{false};
std::atomic<bool> g_watching{false};

extern "C" void on_write_signal(int) {
    if (g_stop_watch.exchange(true) || !g_watching.load())
        g_stop_boards.store(true);
}

constexpr const char* kFooter =
    "Examples:\n"
    "  rtprov write blinky_pkg.zip -p uart:/dev/ttyUSB0 -p uart:/dev/ttyUSB1 --baud 921600\n"
    "  rtprov write blinky_pkg.zip -p usb:1fc9:0130 --burn-srk --close --log records/\n"
    "  rtprov write -c project.yaml -p sim:auto            # an in-process simulated part\n"
    "  rtprov write pkg.zip --ports-from fixtures.txt --wait-for-devices --json\n"
    "Per board: load the flashloader (the signed one on a closed part), configure memory, erase\n"
    "only the image's sectors, write, verify by readback, fuses from the plan, reset. Fuses are\n"
    "irreversible: --dry-run shows the write plan and every word (current -> new) and stops; SRK\n"
    "words need --burn-srk, closing (SEC_CONFIG[1]) needs --close and is refused unless the\n"
    "image verifies against the SRK fuses and the boot image read back from the part; locks come\n"
    "last. Every fuse flag needs a package signed with a key given by --trust-key (or\n"
    "RTPROV_TRUST_KEY), or --allow-unsigned-fuses: the records and the summary say so.\n"
    "--json prints one JSON object per event (docs/write-json.md). Every attempt is recorded in\n"
    "the station's records database (rtprov records); a killed run is resumed on the next run\n"
    "(what is on the board is verified, the rest written). Per-board values (serial numbers,\n"
    "CSV rows) are reserved there per board UID and never given to another board.\n"
    "A board passes only when it boots, where rtprov can know: a simulated part's own boot check,\n"
    "or --boot-check SECONDS on a fixture in internal boot mode (the ROM must not come back in\n"
    "serial download). The part must be the package's (boot ROM USB identity) and its flash big\n"
    "enough before anything is erased. Outcomes: passed, passed-unfused (the package's fuse plan\n"
    "left unburned: give --burn-srk, or --no-fuses to waive it), refused, failed (docs/write.md).\n"
    "Exit codes: 0 every board passed (or dry run), 6 every board written but some unfused,\n"
    "3 a board failed (link, device), 4 a board failed a check (wrong part, readback, fuses, HAB\n"
    "rejection, does not boot); 1 usage, 2 bad package, 5 file I/O.";

struct WriteArgs {
    std::string package;
    std::string project;
    std::vector<std::string> ports;
    std::string ports_from;
    bool wait = false;
    std::string flashloader;
    std::string log;
    std::uint32_t baud = 115200;
    int timeout_ms = 5000;
    unsigned retries = 3;
    std::vector<std::string> trust_keys;
    std::string station_key;
    double boot_check_s = 0;
};

Bytes package_zip(const WriteArgs& a) {
    if (a.package.empty() == a.project.empty())
        throw Error(ErrorCode::Usage, "write needs a package file or -c project.yaml (not both)");
    if (!a.package.empty())
        return read_file(a.package);
    pkg::ExportOptions options;
    options.project = a.project;
    if (const char* p = std::getenv("RTPROV_KEY_PASSWORD"))
        options.env_password = p;
    // Packaged in memory and written at once: the secrets never leave this process.
    options.insecure_plain_secrets = true;
    return pkg::export_package(options).zip;
}

class WriteCommand : public Command {
  public:
    void setup(CLI::App& app) override {
        app.footer(kFooter);
        app.add_option("package", a_.package, "Manufacturing package (zip from export-pkg)");
        app.add_option("-c,--config", a_.project, "Or: a project file, packaged in memory")
            ->check(existing_file());
        app.add_option("-p,--port", a_.ports,
                       "Board: uart:DEV[,BAUD], usb:VID:PID[,SERIAL], usb:path=P, usb:port=1-1.2 "
                       "(the USB port: best for parallel rigs), sim:SOCKET, sim-uart:SOCKET, or "
                       "sim:auto (a simulated part in this process); repeat for more boards");
        app.add_option("--ports-from", a_.ports_from, "Read board URIs from FILE, one per line");
        app.add_flag("--wait-for-devices", a_.wait,
                     "Watch the ports and write every board that appears, until Ctrl-C");
        app.add_option("--flashloader", a_.flashloader,
                       "Flashloader image (IVT + boot data) when the package has none");
        app.add_flag("--skip-unchanged", o_.skip_unchanged,
                     "Read back first; erase and write only sectors that differ");
        app.add_flag("--dry-run", o_.dry_run,
                     "Show the write plan (every step, memory range and fuse word), connect, show "
                     "each board's fuse words (current -> new) and stop; change nothing");
        app.add_flag("--burn-srk", o_.burn_srk, "Burn the package's SRK hash fuses (irreversible)");
        app.add_flag("--burn-encryption", o_.burn_encryption,
                     "Burn the package's encryption fuses: BEE key words (SW_GP2), key "
                     "selectors, ENCRYPTED_XIP, BT_FUSE_SEL, SW_GP2 locks (irreversible)");
        app.add_flag("--close", o_.close,
                     "Close the part (SEC_CONFIG[1]) after the SRK fuses verify (irreversible)");
        app.add_flag(
            "--allow-unsigned-fuses", o_.allow_unsigned_fuses,
            "Let the fuse flags burn from a package no --trust-key confirmed (development; "
            "the records and the summary say so)");
        app.add_flag("--no-fuses", o_.no_fuses,
                     "Waive the package's fuse plan on purpose (development boards): boards end "
                     "passed, not passed-unfused, and their records say so");
        app.add_option("--boot-check", a_.boot_check_s,
                       "After the reset, watch SECONDS for the boot ROM in serial download (a part "
                       "that cannot boot falls back to it): fixtures in internal boot mode")
            ->check(CLI::Range(0.0, 600.0));
        app.add_option("--baud", a_.baud, "Line speed of uart: ports without one")
            ->capture_default_str();
        app.add_option("--timeout", a_.timeout_ms, "Response timeout in milliseconds")
            ->capture_default_str();
        app.add_option("--retries", a_.retries, "Retries per operation after a failure")
            ->capture_default_str();
        app.add_option("--log", a_.log, "Keep a JSON record per board and attempt in DIR");
        app.add_option("--station-key", a_.station_key,
                       "This station's private key (rtprov station keygen), to open a package "
                       "sealed to it; default $RTPROV_STATION_KEY, else station.key in the "
                       "station directory");
        app.add_option("--trust-key", a_.trust_keys,
                       "Write only a package signed by this key (public key, certificate or key "
                       "PEM, or a token key's pkcs11: URI; repeatable; default: "
                       "$RTPROV_TRUST_KEY)")
            ->check(existing_file_or_token());
        add_station_options(app, station_, o_);
    }

    int run(Output& out) override {
        o_.timeout = std::chrono::milliseconds(a_.timeout_ms);
        o_.boot_check = std::chrono::milliseconds(static_cast<long>(a_.boot_check_s * 1000));
        if (o_.no_fuses && write::burns_fuses(o_))
            throw Error(ErrorCode::Usage,
                        "--no-fuses waives the fuse plan: it cannot go with --burn-srk, "
                        "--burn-encryption, --burn-data-fuses or --close");
        o_.retries = a_.retries;
        if (a_.ports.empty() && a_.ports_from.empty())
            throw Error(ErrorCode::Usage, "write needs --port URI (or --ports-from FILE)");
        // A port names its board in every line shown and every record kept: printable only.
        for (const auto& p : a_.ports)
            require_printable(p, "--port");
        const Bytes zip = package_zip(a_);
        std::optional<write::Flashloader> loader;
        if (!a_.flashloader.empty())
            loader = write::flashloader_from_file(a_.flashloader, read_file(a_.flashloader));
        write::Job job = write::make_job(
            write::open_package(zip, trust_options(a_.trust_keys)), zip, loader, o_);
        open_station_secrets(job);
        for (const auto& w : job.package.warnings)
            out.warning(w);
        for (const auto& w : job.warnings)
            out.warning(w);
        if (job.trust == write::Trust::UnsignedFuses) {
            out.warning(
                fmt::format("--allow-unsigned-fuses: fuses ({}) are burned from a "
                            "package no trust key confirmed; the records say so",
                            write::fuse_flags(o_)));
        }
        if (!a_.log.empty()) {
            o_.was_interrupted = [dir = a_.log, sha = job.package_sha256](const std::string& uid) {
                return write::interrupted_attempt(dir, uid, sha);
            };
        }

        WriteDisplay display(WriteDisplay::mode_for(out.json()), out.quiet());
        if (o_.dry_run) {
            // What every board would get, as import-pkg and README.txt describe it; each board
            // then shows its fuse words (current -> new).
            const pkg::PlanView plan = pkg::describe_plan(job.package.manifest);
            std::string text = "dry run: the package's write plan, for every board";
            for (const std::string& line : pkg::plan_lines(plan))
                text += "\n" + line;
            display.extra({{"event", "plan"},
                           {"package_sha256", job.package_sha256},
                           {"plan", pkg::plan_json(plan)}},
                          text);
        }
        write::EventSink sink = [&](const write::Event& e) { display(e); };
        std::optional<write::BoardLog> log;
        if (!a_.log.empty()) {
            log.emplace(a_.log, sink);
            sink = [&](const write::Event& e) { (*log)(e); };
        }
        // Every attempt goes into the station's records before anything else sees its events.
        WriteStation station(station_, job, a_.package.empty() ? a_.project : a_.package, o_, sink);
        sink = station.sink();
        std::signal(SIGINT, on_write_signal);
        std::signal(SIGTERM, on_write_signal);
        std::signal(SIGPIPE, SIG_IGN);

        std::vector<std::unique_ptr<write::SimulatedPart>> sims;
        std::vector<std::string> sim_names;
        const auto make_port = [&](const std::string& uri) -> write::Port {
            if (uri == "sim:auto") {
                sims.push_back(std::make_unique<write::SimulatedPart>(*job.device));
                sim_names.push_back(fmt::format("sim:auto#{}", sims.size()));
                const std::string at = sims.back()->uri();
                const write::SimulatedPart* part = sims.back().get();
                return {sim_names.back(), [at] { return transport::open_transport(at); },
                        [part] {
                            const sim::Verdict v = part->boot_verdict();
                            return std::pair<bool, std::string>(v.ok, v.reason);
                        }};
            }
            const std::string u = write::with_default_baud(uri, a_.baud);
            return {u, write::board_opener(u, *job.device)};
        };

        std::vector<write::BoardResult> results;
        if (a_.wait) {
            g_watching = true;
            write::WatchSource source;
            source.candidates = [&] {
                std::vector<std::string> uris = a_.ports;
                if (!a_.ports_from.empty()) {
                    for (auto& u : write::read_port_list(a_.ports_from, true))
                        uris.push_back(std::move(u));
                }
                return uris;
            };
            source.identity = [](const std::string& uri) { return write::port_identity(uri); };
            source.make_port = make_port;
            results = write::watch_boards(job, o_, source, sink, g_stop_watch);
        } else {
            std::vector<std::string> uris = a_.ports;
            if (!a_.ports_from.empty()) {
                for (auto& u : write::read_port_list(a_.ports_from, false))
                    uris.push_back(std::move(u));
            }
            std::vector<write::Port> ports;
            for (const auto& u : uris) {
                ports.push_back(make_port(u));
                for (std::size_t i = 0; i + 1 < ports.size(); ++i) {
                    if (ports[i].name == ports.back().name)
                        throw Error(ErrorCode::Usage, fmt::format("port {} given twice", u));
                }
            }
            results = write::write_boards(job, o_, ports, sink, &g_stop_boards);
        }

        display.close();
        // A simulated part shows what it would do at power-on.
        for (std::size_t i = 0; i < sims.size(); ++i) {
            const sim::Inspection insp = sims[i]->stop_and_inspect();
            display.extra({{"event", "sim-boot"},
                           {"board", sim_names[i]},
                           {"boots", insp.boot.ok},
                           {"reason", insp.boot.reason}},
                          fmt::format("{}: boot check: {}: {}", sim_names[i],
                                      insp.boot.ok ? "boots" : "does not boot", insp.boot.reason));
        }
        // With --json stdout is for programs: the operator still reads each failure on stderr.
        for (const auto& r : results) {
            if (out.json() && !r.error.empty())
                fmt::print(stderr, "rtprov: error: {}: {}\n", r.board, r.error);
        }
        const int code = write::exit_code_of(results);
        const auto count = [&](std::initializer_list<write::Outcome> outcomes) {
            return static_cast<std::size_t>(
                std::count_if(results.begin(), results.end(), [&](const write::BoardResult& r) {
                    return std::find(outcomes.begin(), outcomes.end(), r.outcome) !=
                           outcomes.end();
                }));
        };
        const std::size_t passed = count({write::Outcome::Passed, write::Outcome::DryRun});
        const std::size_t unfused = count({write::Outcome::PassedUnfused});
        const std::size_t refused = count({write::Outcome::Refused});
        const std::size_t failed = results.size() - passed - unfused - refused;
        const std::size_t dry = count({write::Outcome::DryRun});
        std::string text = fmt::format("{} of {} board{} passed", passed, results.size(),
                                       results.size() == 1 ? "" : "s");
        if (dry > 0)
            text += dry == passed ? " the dry run (nothing was written or burned)"
                                  : fmt::format(" ({} of them the dry run: nothing changed)", dry);
        if (unfused > 0)
            text += fmt::format(", {} passed-unfused (fuse plan not burned)", unfused);
        if (refused > 0)
            text += fmt::format(", {} refused", refused);
        if (failed > 0)
            text += fmt::format(", {} failed", failed);
        if (job.trust == write::Trust::UnsignedFuses)
            text += "; fuses burned from an untrusted package (--allow-unsigned-fuses)";
        display.extra({{"event", "summary"},
                       {"boards", results.size()},
                       {"passed", passed},
                       {"passed_unfused", unfused},
                       {"refused", refused},
                       {"failed", failed},
                       {"trust", write::trust_name(job.trust)},
                       {"exit_code", code}},
                      text);
        return code;
    }

  private:
    // A package with sealed secrets opens with this station's key: --station-key, else
    // $RTPROV_STATION_KEY, else the station directory's station.key when there is one.
    void open_station_secrets(write::Job& job) const {
        const auto& ref = job.package.manifest.secrets;
        std::optional<pkg::StationPrivateKey> key;
        if (ref && ref->sealed) {
            std::filesystem::path path = a_.station_key;
            if (path.empty()) {
                if (const char* e = std::getenv("RTPROV_STATION_KEY"); e != nullptr && *e != 0)
                    path = e;
                else if (auto d = records::default_station_private_key();
                         std::filesystem::exists(d))
                    path = d;
            }
            if (!path.empty())
                key = pkg::load_station_private_key(path);
        }
        write::open_secrets(job, key ? &*key : nullptr);
    }

    WriteArgs a_;
    StationArgs station_;
    write::WriteOptions o_;
};

}  // namespace

std::unique_ptr<Command> make_write_command() {
    return std::make_unique<WriteCommand>();
}

}  // namespace rtprov::cli
