#include "rtprov/write/sim_port.hpp"

#include <cstdlib>
#include <future>

#include <fmt/format.h>

#include "rtprov/sim/server.hpp"
#include "rtprov/util/error.hpp"

namespace rtprov::write {

SimulatedPart::SimulatedPart(const device::Device& device) : chip_(device) {
    // Every simulated part its own unique ID, as on silicon: records and resuming tell boards
    // apart by it.
    chip_.fuses().set_uid(sim::random_uid());
    std::string tmpl = (std::filesystem::temp_directory_path() / "rtprov-sim-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr)
        throw Error(ErrorCode::Io, fmt::format("sim:auto: cannot create a folder in {}",
                                               std::filesystem::temp_directory_path().string()));
    dir_ = tmpl;
    const std::filesystem::path socket = dir_ / "hid.sock";
    uri_ = "sim:" + socket.string();
    std::promise<void> listening;
    auto ready = listening.get_future();
    server_ = std::thread([this, socket, p = std::move(listening)]() mutable {
        sim::ServerOptions options;
        options.link = sim::LinkKind::Hid;
        options.hid_socket = socket;
        sim::ServerCallbacks callbacks;
        bool told = false;
        callbacks.on_endpoint = [&](const std::string&) {
            told = true;
            p.set_value();
        };
        try {
            sim::serve(chip_, options, callbacks, stop_);
        } catch (...) {
            if (!told)
                p.set_exception(std::current_exception());
        }
    });
    try {
        ready.get();
    } catch (...) {
        stop();
        throw;
    }
}

SimulatedPart::~SimulatedPart() {
    stop();
}

void SimulatedPart::stop() {
    stop_.store(true);
    if (server_.joinable())
        server_.join();
    if (!dir_.empty()) {
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
        dir_.clear();
    }
}

sim::Verdict SimulatedPart::boot_verdict() const {
    return sim::check_flash_boot(chip_);
}

sim::Inspection SimulatedPart::stop_and_inspect() {
    stop();
    return sim::inspect(chip_);
}

}  // namespace rtprov::write
