#pragma once
// For the black-box tests: a child process whose stdout is read line by line (a simulator that
// prints its endpoint, `rtprov write --json` whose events are followed), signalled and reaped.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <optional>
#include <string>

#include <gtest/gtest.h>

#include "cli_support.hpp"

namespace rtprov::test {

// `sh -c COMMAND` as a child whose stdout is read line by line.
class Child {
  public:
    explicit Child(const std::string& command) {
        int fds[2];
        EXPECT_EQ(::pipe(fds), 0);
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(fds[1], 1);
            ::close(fds[0]);
            ::close(fds[1]);
            ::execl("/bin/sh", "sh", "-c", ("exec " + command).c_str(), nullptr);
            ::_exit(127);
        }
        ::close(fds[1]);
        out_ = ::fdopen(fds[0], "r");
    }
    ~Child() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            wait();
        }
        if (out_ != nullptr)
            std::fclose(out_);
    }
    Child(const Child&) = delete;
    Child& operator=(const Child&) = delete;

    // The next stdout line (without '\n'), or nullopt at the end.
    std::optional<std::string> line() {
        char buf[65536];
        if (std::fgets(buf, sizeof buf, out_) == nullptr)
            return std::nullopt;
        std::string s = buf;
        if (!s.empty() && s.back() == '\n')
            s.pop_back();
        return s;
    }
    void signal(int sig) {
        if (pid_ > 0)
            ::kill(pid_, sig);
    }
    // Waits for the end; returns the exit status (128 + signal when killed).
    int wait() {
        if (pid_ <= 0)
            return status_;
        int st = 0;
        ::waitpid(pid_, &st, 0);
        pid_ = -1;
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        return status_;
    }

  private:
    pid_t pid_ = -1;
    FILE* out_ = nullptr;
    int status_ = -1;
};

// `rtprov sim ARGS` as a child; the first line it prints (the pty or socket it serves) is read
// at start. Stopped with SIGTERM, so that it saves its state before it ends.
class SimProcess {
  public:
    explicit SimProcess(const std::string& args)
        : child_(kRtprov + " " + args + " 2>/dev/null"), endpoint_(child_.line().value_or("")) {}
    ~SimProcess() { stop(); }
    const std::string& endpoint() const { return endpoint_; }
    // SIGTERM and wait; returns the exit status.
    int stop() {
        child_.signal(SIGTERM);
        return child_.wait();
    }

  private:
    Child child_;
    std::string endpoint_;
};

}  // namespace rtprov::test
