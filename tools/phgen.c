/* placeholder: replaced by the sample generator */
int main(void) { return 0; }
