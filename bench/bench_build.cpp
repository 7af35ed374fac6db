// Measures the in-process time to build a bootable image: load the app file, resolve the build
// settings, lay out the image. Usage: rtprov_bench_build ITERATIONS rtprov-build-options...
// (the same options as `rtprov build`, limited to --device, --boot-device, --app, --app-address,
// --dcd, --fcb).

#include <chrono>
#include <cstdlib>
#include <string>

#include <fmt/format.h>

#include "rtprov/boot/image.hpp"
#include "rtprov/project/build_spec.hpp"
#include "rtprov/util/parse.hpp"

int main(int argc, char** argv) {
    if (argc < 2) {
        fmt::print(stderr, "usage: {} ITERATIONS --device D --app F [--app-address A] ...\n",
                   argv[0]);
        return 1;
    }
    const int iterations = std::atoi(argv[1]);
    rtprov::project::BuildSpec spec;
    for (int i = 2; i + 1 < argc; i += 2) {
        const std::string opt = argv[i], val = argv[i + 1];
        if (opt == "--device")
            spec.device = val;
        else if (opt == "--boot-device")
            spec.boot_device = val;
        else if (opt == "--app")
            spec.app = val;
        else if (opt == "--app-address")
            spec.app_address = rtprov::parse_u32(val, opt);
        else if (opt == "--dcd")
            spec.dcd = val;
        else if (opt == "--fcb")
            spec.fcb = rtprov::project::fcb_spec_from_argument(val);
    }
    std::size_t bytes = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < iterations; ++i) {
        const auto image = rtprov::boot::build_image(rtprov::project::resolve(spec));
        bytes += image.data.size();
    }
    const auto t1 = std::chrono::steady_clock::now();
    const double us = std::chrono::duration<double, std::micro>(t1 - t0).count() / iterations;
    fmt::print(
        "in-process build (read app + layout): {:.1f} us per image ({} iterations, {} bytes "
        "each)\n",
        us, iterations, bytes / static_cast<std::size_t>(iterations));
    return 0;
}
