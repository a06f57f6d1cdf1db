using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace Certification.Api.Infrastructure.Migrations.Postgres
{
    /// <inheritdoc />
    public partial class ArchiveExtensions : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "ProtectedUntil",
                table: "CertifiedCopies",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "ArchiveExtensions",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CertifiedCopyId = table.Column<Guid>(type: "uuid", nullable: false),
                    Sequence = table.Column<int>(type: "integer", nullable: false),
                    PreviousSha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Sha256 = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Size = table.Column<long>(type: "bigint", nullable: false),
                    ExtendedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ProtectedUntilBefore = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    ProtectedUntilAfter = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ArchiveExtensions", x => x.Id);
                    table.ForeignKey(
                        name: "FK_ArchiveExtensions_CertifiedCopies_CertifiedCopyId",
                        column: x => x.CertifiedCopyId,
                        principalTable: "CertifiedCopies",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateIndex(
                name: "IX_CertifiedCopies_Status_ProtectedUntil",
                table: "CertifiedCopies",
                columns: new[] { "Status", "ProtectedUntil" });

            migrationBuilder.CreateIndex(
                name: "IX_ArchiveExtensions_CertifiedCopyId_Sequence",
                table: "ArchiveExtensions",
                columns: new[] { "CertifiedCopyId", "Sequence" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ArchiveExtensions_PreviousSha256",
                table: "ArchiveExtensions",
                column: "PreviousSha256");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ArchiveExtensions");

            migrationBuilder.DropIndex(
                name: "IX_CertifiedCopies_Status_ProtectedUntil",
                table: "CertifiedCopies");

            migrationBuilder.DropColumn(
                name: "ProtectedUntil",
                table: "CertifiedCopies");
        }
    }
}
