from drillsim.cli import main

main()
