#include "rtprov/sim/faults.hpp"

#include <fmt/format.h>

#include "rtprov/util/error.hpp"
#include "rtprov/util/parse.hpp"

namespace rtprov::sim {

namespace {

constexpr std::string_view kKnown =
    "drop, crc, nak, delay-ack, disconnect-after, program-fail, power-loss-after";

[[noreturn]] void bad(std::string_view item, std::string_view why) {
    throw Error(ErrorCode::Usage, fmt::format("--faults: {}: {}", item, why));
}

double probability(std::string_view item, std::string_view text) {
    double p = 0;
    try {
        std::size_t used = 0;
        p = std::stod(std::string(text), &used);
        if (used != text.size())
            bad(item, "probability must be between 0 and 1");
    } catch (const std::logic_error&) {
        bad(item, "probability must be between 0 and 1");
    }
    if (!(p >= 0 && p <= 1))
        bad(item, "probability must be between 0 and 1");
    return p;
}

std::uint64_t count(std::string_view item, std::string_view text) {
    const auto n = parse_uint(text);
    if (!n)
        bad(item, "expected a byte count");
    return *n;
}

std::chrono::milliseconds duration(std::string_view item, std::string_view text) {
    std::uint64_t scale = 1;
    if (text.ends_with("ms")) {
        text.remove_suffix(2);
    } else if (text.ends_with("s")) {
        text.remove_suffix(1);
        scale = 1000;
    }
    const auto n = parse_uint(text);
    if (!n)
        bad(item, "expected a delay such as 200ms or 1s");
    return std::chrono::milliseconds(static_cast<std::int64_t>(*n * scale));
}

}  // namespace

FaultSpec parse_fault_spec(std::string_view spec) {
    FaultSpec out;
    while (!spec.empty()) {
        const std::size_t comma = spec.find(',');
        const std::string_view item = spec.substr(0, comma);
        spec = comma == std::string_view::npos ? std::string_view{} : spec.substr(comma + 1);
        if (item.empty())
            continue;
        const std::size_t eq = item.find('=');
        if (eq == std::string_view::npos)
            bad(item, "expected key=value");
        const std::string_view key = item.substr(0, eq);
        const std::string_view value = item.substr(eq + 1);
        if (key == "drop") {
            out.drop = probability(item, value);
        } else if (key == "crc") {
            out.crc = probability(item, value);
        } else if (key == "nak") {
            out.nak = probability(item, value);
        } else if (key == "delay-ack") {
            const std::size_t colon = value.find(':');
            out.delay_ack = probability(item, value.substr(0, colon));
            if (colon != std::string_view::npos)
                out.delay_ack_time = duration(item, value.substr(colon + 1));
        } else if (key == "disconnect-after") {
            out.disconnect_after = count(item, value);
        } else if (key == "program-fail") {
            out.program_fail = probability(item, value);
        } else if (key == "power-loss-after") {
            out.power_loss_after = count(item, value);
        } else {
            throw Error(ErrorCode::Usage,
                        fmt::format("--faults: unknown fault '{}' (known: {})", key, kKnown));
        }
    }
    return out;
}

std::string to_string(const FaultSpec& s) {
    std::string out;
    auto add = [&](std::string item) {
        if (!out.empty())
            out += ',';
        out += item;
    };
    if (s.drop > 0)
        add(fmt::format("drop={}", s.drop));
    if (s.crc > 0)
        add(fmt::format("crc={}", s.crc));
    if (s.nak > 0)
        add(fmt::format("nak={}", s.nak));
    if (s.delay_ack > 0)
        add(fmt::format("delay-ack={}:{}ms", s.delay_ack, s.delay_ack_time.count()));
    if (s.disconnect_after)
        add(fmt::format("disconnect-after={}", *s.disconnect_after));
    if (s.program_fail > 0)
        add(fmt::format("program-fail={}", s.program_fail));
    if (s.power_loss_after)
        add(fmt::format("power-loss-after={}", *s.power_loss_after));
    return out;
}

}  // namespace rtprov::sim
