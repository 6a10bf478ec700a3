from tco.cli.main import main

main()
