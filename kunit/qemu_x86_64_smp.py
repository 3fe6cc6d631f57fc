# SPDX-License-Identifier: GPL-2.0
# kunit.py --qemu_config: x86_64 under TCG with 4 vCPUs.
from ..qemu_config import QemuArchParams

QEMU_ARCH = QemuArchParams(linux_arch='x86_64',
			   kconfig='''
CONFIG_SERIAL_8250=y
CONFIG_SERIAL_8250_CONSOLE=y
CONFIG_SMP=y
CONFIG_HOTPLUG_CPU=y''',
			   qemu_arch='x86_64',
			   kernel_path='arch/x86/boot/bzImage',
			   kernel_command_line='console=ttyS0 tsc=reliable',
			   extra_qemu_params=['-bios', 'qboot.rom', '-smp', '4',
					      '-accel', 'tcg,thread=multi',
					      '-m', '2048'])
