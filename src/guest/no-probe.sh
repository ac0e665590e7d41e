#!/.bb/busybox sh
# Stands in for lsb_release, file and uname in the guest Xpra server's PATH only (agent.sh). Xpra 3.1 runs
# them to describe the guest's system in its log and hello: lsb_release -a (a shell script of a dozen
# processes) twice, file -b on its own Python twice, uname -p once, partly while the host client's hello
# waits for it: ~0.2 s of CPU natively, seconds under TCG. Answering nothing and failing makes Xpra fall
# back to "unknown" (remembered) and Python's platform module to its defaults.
exit 1
