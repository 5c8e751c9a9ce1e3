/* The simulator's public header, alone, in strict ISO C99. */
#include <libiommufd-sim.h>

int main(void)
{
	return iofd_sim_kernel_ops() == NULL;
}
